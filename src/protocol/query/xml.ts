/** The little XML the Query protocol needs: escaped text and elements. No attributes but xmlns. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

const NEEDS_ESCAPE = /[&<>"'\r]/;

export function escapeXml(text: string): string {
  // CR is escaped so an XML parser's line-end normalisation cannot turn it into LF.
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!) : text;
}

let lastTime = Number.NaN;
let lastText = '';

/** ISO 8601 in UTC with second precision, as IAM writes dates: 2026-11-27T01:13:52Z. */
export function isoDate(d: Date): string {
  // The same date is written again and again (the root user's, a user read by every request).
  const time = d.getTime();
  if (time === lastTime) return lastText;
  const iso = d.toISOString(); // 2026-11-27T01:13:52.123Z; +010000-… past the year 9999
  lastText = iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
  lastTime = time;
  return lastText;
}
