/** The little XML the Query protocol needs: escaped text and elements. No attributes but xmlns. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

export function escapeXml(text: string): string {
  // CR is escaped so an XML parser's line-end normalisation cannot turn it into LF.
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}

/** ISO 8601 in UTC with second precision, as IAM writes dates: 2026-11-27T01:13:52Z. */
export function isoDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
