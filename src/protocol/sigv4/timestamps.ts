/** SigV4's timestamps: ISO 8601 basic format (20150830T123600Z), and the HTTP Date header's form. */

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function utc(year: number, month: number, day: number, h: number, m: number, s: number): Date | undefined {
  const d = new Date(Date.UTC(year, month - 1, day, h, m, s));
  // Reject what Date.UTC would roll over (month 13, 31 April, 25:00 ...).
  const ok =
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === h &&
    d.getUTCMinutes() === m &&
    d.getUTCSeconds() === s;
  return ok ? d : undefined;
}

/** The last timestamp parsed: a busy client's requests share their second. */
let lastAmzDate = '';
let lastAmzTime = 0;

/** 20150830T123600Z → Date; anything else → undefined. */
export function parseAmzDate(value: string): Date | undefined {
  if (value === lastAmzDate) return new Date(lastAmzTime);
  const m = AMZ_DATE.exec(value);
  const date = m ? utc(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
  if (date !== undefined) {
    lastAmzDate = value;
    lastAmzTime = date.getTime();
  }
  return date;
}

/** "Sun, 30 Aug 2015 12:36:00 GMT" (RFC 7231 IMF-fixdate) → Date; anything else → undefined. */
export function parseHttpDate(value: string): Date | undefined {
  const m = HTTP_DATE.exec(value);
  return m ? utc(+m[3]!, MONTHS.indexOf(m[2]!) + 1, +m[1]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

/** Date → 20150830T123600Z (milliseconds dropped). */
export function formatAmzDate(date: Date): string {
  const iso = date.toISOString(); // 2015-08-30T12:36:00.000Z; +010000-… past the year 9999
  if (iso.length !== 24) return iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** As AWS writes a window in its messages: "15 min" when whole minutes, else "N sec". */
export function windowText(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} sec`;
}
