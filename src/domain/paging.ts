import { IamError } from './errors.js';
import type { ListOptions, ListPage } from '../ports/store.js';

/**
 * Marker/MaxItems paging, as IAM's list calls do it. Markers are opaque to clients: a position
 * (a name, or an offset), base64url-encoded.
 */
export const encodeMarker = (position: string): string => Buffer.from(position, 'utf8').toString('base64url');

export function decodeMarker(marker: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(marker)) throw invalidMarker();
  return Buffer.from(marker, 'base64url').toString('utf8');
}

export const invalidMarker = () => new IamError('ValidationError', 'Invalid Marker.');

/** Paging over a list already in memory (short lists: a user's tags or policies, a group's members). */
export function paginate<T>(items: readonly T[], input: { Marker?: string; MaxItems?: number }): { items: T[]; isTruncated: boolean; marker?: string } {
  const { start, end, isTruncated, marker } = pageOf(items.length, input);
  const page = items.slice(start, end);
  return isTruncated ? { items: page, isTruncated, marker } : { items: page, isTruncated };
}

/**
 * The positions of one page of `total` items: the page can then be computed alone, without the
 * items before or after it (the policy simulator's results).
 */
export function pageOf(total: number, input: { Marker?: string; MaxItems?: number }): { start: number; end: number; isTruncated: boolean; marker?: string } {
  const start = input.Marker === undefined ? 0 : Number(decodeMarker(input.Marker));
  if (!Number.isInteger(start) || start < 0) throw invalidMarker();
  const end = start + (input.MaxItems ?? 100);
  return end < total ? { start, end, isTruncated: true, marker: encodeMarker(String(end)) } : { start, end: Math.max(start, total), isTruncated: false };
}

/**
 * List<Users|Groups|Roles|InstanceProfiles>: a page of a named resource's repository, by plain
 * path prefix; the store's position (the last name served) travels as an opaque marker.
 */
export async function listByPath<E>(
  repository: { list(options: ListOptions): Promise<ListPage<E>> },
  input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
): Promise<ListPage<E>> {
  const page = await repository.list({
    pathPrefix: input.PathPrefix ?? '/',
    marker: input.Marker === undefined ? undefined : decodeMarker(input.Marker),
    maxItems: input.MaxItems ?? 100,
  });
  return page.nextMarker === undefined ? page : { items: page.items, nextMarker: encodeMarker(page.nextMarker) };
}
