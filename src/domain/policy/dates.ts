// ISO 8601 as policies write it: a date, optionally a time, optionally a zone.
const ISO_8601 =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
const MAX_EPOCH_SECONDS = 9223372036854775807n;

/**
 * Milliseconds since the epoch of a Date condition value: ISO 8601 or epoch seconds (AWS accepts
 * both). Undefined when it is neither; IAM refuses such a policy value on write.
 */
export function parseConditionDate(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    // Longer than the largest epoch is out of range: no BigInt of a 100,000-digit value (40 ms).
    const digits = text.replace(/^0+(?=\d)/, '');
    return digits.length <= 19 && BigInt(digits) <= MAX_EPOCH_SECONDS ? Number(digits) * 1000 : undefined;
  }
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [year, month = 1, day = 1, hour = 0, minute = 0, second = 0] = [1, 2, 3, 4, 5, 6].map((i) =>
    m[i] === undefined ? undefined : Number(m[i]),
  ) as [number, number?, number?, number?, number?, number?];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const offset = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  if (Math.abs(offset) > 23 * 60 + 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second) + millis - offset * 60_000;
}
