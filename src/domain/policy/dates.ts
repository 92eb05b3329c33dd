/**
 * Date condition values, as IAM reads them: a count of epoch seconds (a signed 64-bit number), or
 * an ISO 8601 date-time in the lenient grammar of Joda-Time's ISO parser
 * (`ISODateTimeFormat.dateTimeParser()`), which fits every answer recorded from IAM (an inference:
 * AWS does not document the grammar). AWS accepts, as recorded against AWS (moto's
 * policy-validation cases, re-recorded by LocalStack in 2026):
 * `01T` (a year and a bare T), `2016-12-13t2:00:00.593194+23` (a lower-case t, a one-digit hour,
 * an offset of hours only) and `-292275054` (Joda's earliest year, or a negative epoch); and
 * refuses `234-13` (month 13), `…+1` (a one-digit offset), a ten-digit fraction of a second and
 * `9223372036854775808` (beyond 64 bits).
 *
 *   datetime      = time | date-opt-time
 *   time          = 'T' time-element [offset]
 *   date-opt-time = date-element ['T' [time-element] [offset]]
 *   date-element  = yyyy ['-' MM ['-' dd]] | yyyy '-' DDD | xxxx '-W' ww ['-' e]
 *   time-element  = HH [':' mm [':' ss [fraction] | fraction] | fraction]
 *   fraction      = ('.' | ',') digit{1,9}
 *   offset        = 'Z' | ('+' | '-') HH [[':'] mm [[':'] ss [('.' | ',') SSS]]]
 *
 * Years have 1 to 9 digits and an optional sign, the other fields 1 or 2 digits (3 for the day of
 * the year, 1 for the day of the week), an offset's fields exactly 2; T, W and Z in either case.
 */

const MIN_YEAR = -292275054; // Joda-Time's range of years
const MAX_YEAR = 292278993;
const MIN_EPOCH_SECONDS = -9223372036854775808n;
const MAX_EPOCH_SECONDS = 9223372036854775807n;
const DAY_MS = 86_400_000;

/**
 * Milliseconds since the epoch of a Date condition value; undefined when IAM would refuse it (an
 * unreadable date is "The policy failed legacy parsing" on write, and matches nothing on read).
 */
export function parseConditionDate(text: string): number | undefined {
  if (/^[+-]?\d+$/.test(text)) {
    // Longer than the largest epoch is out of range: no BigInt of a 100,000-digit value (40 ms).
    const digits = text.replace(/^([+-]?)0+(?=\d)/, '$1');
    if (digits.replace(/^[+-]/, '').length > 19) return undefined;
    const seconds = BigInt(digits);
    return seconds >= MIN_EPOCH_SECONDS && seconds <= MAX_EPOCH_SECONDS ? Number(seconds) * 1000 : undefined;
  }
  return new IsoReader(text).dateTime();
}

/** Days from 1970-01-01 to a proleptic Gregorian date, for any year (JavaScript's Date stops at ±275760). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const validYear = (year: number) => year >= MIN_YEAR && year <= MAX_YEAR;
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number) => (month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);
/** ISO day of the week, 1 (Monday) to 7 (Sunday). */
const isoWeekday = (days: number) => ((((days + 3) % 7) + 7) % 7) + 1;
/** The day number of the Monday of ISO week 1 of a week-based year (the week holding 4 January). */
const weekOneMonday = (weekYear: number) => {
  const jan4 = daysFromCivil(weekYear, 1, 4);
  return jan4 - isoWeekday(jan4) + 1;
};

/** A cursor over the text; each read returns undefined when the grammar does not match there. */
class IsoReader {
  private at = 0;

  constructor(private readonly text: string) {}

  dateTime(): number | undefined {
    let days = 0;
    const timeOnly = this.peekLetter('T');
    if (!timeOnly) {
      const date = this.dateElement();
      if (date === undefined) return undefined;
      days = date;
      if (this.done()) return days * DAY_MS;
      if (!this.peekLetter('T')) return undefined;
    }
    this.at++; // the T
    if (timeOnly && !this.peekDigit()) return undefined;
    const time = this.peekDigit() ? this.timeElement() : 0;
    if (time === undefined) return undefined;
    const offset = this.done() ? 0 : this.offset();
    if (offset === undefined || !this.done()) return undefined;
    return days * DAY_MS + time - offset;
  }

  /**
   * One of the three date forms, chosen as Joda's parser chooses: the first that reads to the end of
   * the text, else the one that reads furthest. Only then are the fields checked, so "234-13" is
   * month 13 (refused), not day 13 of the year.
   */
  private dateElement(): number | undefined {
    const start = this.at;
    let best: { end: number; days: () => number | undefined } | undefined;
    for (const form of [() => this.calendarDate(), () => this.ordinalDate(), () => this.weekDate()]) {
      this.at = start;
      const days = form();
      if (days === undefined) continue;
      if (this.done()) return days();
      if (best === undefined || this.at > best.end) best = { end: this.at, days };
    }
    if (best === undefined) return undefined;
    this.at = best.end;
    return best.days();
  }

  // Each form reads its fields and returns how to turn them into a day number (undefined when a
  // field is out of range), or undefined when the text does not have its shape.

  private calendarDate(): (() => number | undefined) | undefined {
    const year = this.year();
    if (year === undefined) return undefined;
    let [month, day] = [1, 1];
    if (this.peek('-') && this.isDigit(this.at + 1)) {
      this.at++;
      month = this.number(2)!;
      if (this.peek('-') && this.isDigit(this.at + 1)) {
        this.at++;
        day = this.number(2)!;
      }
    }
    return () => (validYear(year) && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) ? daysFromCivil(year, month, day) : undefined);
  }

  private ordinalDate(): (() => number | undefined) | undefined {
    const year = this.year();
    if (year === undefined || !this.peek('-') || !this.isDigit(this.at + 1)) return undefined;
    this.at++;
    const dayOfYear = this.number(3)!;
    return () => (validYear(year) && dayOfYear >= 1 && dayOfYear <= (isLeap(year) ? 366 : 365) ? daysFromCivil(year, 1, 1) + dayOfYear - 1 : undefined);
  }

  private weekDate(): (() => number | undefined) | undefined {
    const weekYear = this.year();
    if (weekYear === undefined || !this.peek('-') || !this.isLetter(this.at + 1, 'W') || !this.isDigit(this.at + 2)) return undefined;
    this.at += 2;
    const week = this.number(2)!;
    let weekday = 1;
    if (this.peek('-') && this.isDigit(this.at + 1)) {
      this.at++;
      weekday = this.number(1)!;
    }
    return () => {
      if (!validYear(weekYear) || weekday < 1 || weekday > 7) return undefined;
      const weeks = (weekOneMonday(weekYear + 1) - weekOneMonday(weekYear)) / 7;
      return week >= 1 && week <= weeks ? weekOneMonday(weekYear) + (week - 1) * 7 + weekday - 1 : undefined;
    };
  }

  /** A signed year of 1 to 9 digits (its range is checked with the other fields). */
  private year(): number | undefined {
    const sign = this.peek('-') ? -1 : 1;
    if (this.peek('-') || this.peek('+')) this.at++;
    if (!this.peekDigit()) return undefined;
    return sign * this.number(9)!;
  }

  /** Milliseconds into the day: HH, then minutes, seconds or a fraction of the last field read. */
  private timeElement(): number | undefined {
    const hour = this.number(2)!;
    if (hour > 23) return undefined;
    let millis = hour * 3_600_000;
    let unit = 3_600_000;
    for (const max of [59, 59]) {
      if (!this.peek(':') || !this.isDigit(this.at + 1)) break;
      this.at++;
      const value = this.number(2)!;
      if (value > max) return undefined;
      unit /= 60;
      millis += value * unit;
    }
    if (this.peek('.') || this.peek(',')) {
      this.at++;
      if (!this.peekDigit()) return undefined;
      const digits = this.digits(9);
      millis += Math.floor(Number(`0.${digits}`) * unit);
    }
    return millis;
  }

  /** The zone offset in milliseconds east of UTC. */
  private offset(): number | undefined {
    if (this.peekLetter('Z')) {
      this.at++;
      return 0;
    }
    const sign = this.peek('-') ? -1 : this.peek('+') ? 1 : 0;
    if (sign === 0) return undefined;
    this.at++;
    const hours = this.twoDigits();
    if (hours === undefined || hours > 23) return undefined;
    let millis = hours * 3_600_000;
    const separated = this.peek(':');
    let unit = 3_600_000;
    for (let field = 0; field < 2; field++) {
      if (separated ? !this.peek(':') : !this.peekDigit()) break;
      if (separated) this.at++;
      const value = this.twoDigits();
      if (value === undefined || value > 59) return undefined;
      unit /= 60;
      millis += value * unit;
    }
    if (unit === 1000 && (this.peek('.') || this.peek(','))) {
      this.at++;
      const ms = this.digits(3);
      if (ms.length !== 3) return undefined;
      millis += Number(ms);
    }
    return sign * millis;
  }

  private twoDigits(): number | undefined {
    if (!this.isDigit(this.at) || !this.isDigit(this.at + 1)) return undefined;
    return this.number(2);
  }

  /** Up to `max` digits as a number; the caller has checked that one is there. */
  private number(max: number): number | undefined {
    const digits = this.digits(max);
    return digits === '' ? undefined : Number(digits);
  }

  private digits(max: number): string {
    const start = this.at;
    while (this.at - start < max && this.isDigit(this.at)) this.at++;
    return this.text.slice(start, this.at);
  }

  private done = () => this.at === this.text.length;
  private peek = (c: string) => this.text[this.at] === c;
  private peekDigit = () => this.isDigit(this.at);
  private peekLetter = (letter: string) => this.isLetter(this.at, letter);
  private isDigit = (i: number) => i < this.text.length && this.text.charCodeAt(i) >= 48 && this.text.charCodeAt(i) <= 57;
  private isLetter = (i: number, letter: string) => this.text[i]?.toUpperCase() === letter;
}
