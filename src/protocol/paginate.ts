import { decodeMarker, encodeMarker } from '../domain/users.js';
import { IamError } from '../domain/errors.js';

/**
 * Marker/MaxItems paging over a list already in memory (short lists: a user's policies, a
 * group's members). The marker is the opaque offset of the next item.
 */
export function paginate<T>(items: T[], input: { Marker?: string; MaxItems?: number }): { items: T[]; isTruncated: boolean; marker?: string } {
  const start = input.Marker === undefined ? 0 : Number(decodeMarker(input.Marker));
  if (!Number.isInteger(start) || start < 0) throw new IamError('ValidationError', 'Invalid Marker.');
  const end = start + (input.MaxItems ?? 100);
  const page = items.slice(start, end);
  return end < items.length ? { items: page, isTruncated: true, marker: encodeMarker(String(end)) } : { items: page, isTruncated: false };
}
