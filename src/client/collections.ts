/** One page of a listing: its items and where the next page starts. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** True when IAM has more items after this page. */
  isTruncated?: boolean | undefined;
  /** The marker to ask for the next page with. */
  marker?: string | undefined;
}

/** Fetches one page: `marker` is where it starts (undefined for the first), `maxItems` its size. */
export type PageFetcher<T> = (marker: string | undefined, maxItems: number | undefined) => Promise<Page<T>>;

/**
 * A listing of resources that pages for you. Iterate it with `for await`; every page is requested
 * only when the previous one has been consumed.
 *
 * @example
 * ```ts
 * for await (const user of iam.users.filter({ PathPrefix: '/engineering/' }).pageSize(50)) {
 *   console.log(user.name, user.arn);
 * }
 * ```
 *
 * @typeParam T - the resource (or value) each item is.
 */
export class ResourceIterable<T> implements AsyncIterable<T> {
  readonly #fetch: PageFetcher<T>;
  readonly #pageSize: number | undefined;
  readonly #limit: number | undefined;

  /**
   * @param fetch - fetches one page.
   * @param options - `pageSize`: IAM's `MaxItems` per request; `limit`: stop after this many items.
   */
  constructor(fetch: PageFetcher<T>, options: { pageSize?: number | undefined; limit?: number | undefined } = {}) {
    this.#fetch = fetch;
    this.#pageSize = options.pageSize;
    this.#limit = options.limit;
  }

  /**
   * The same listing, asking IAM for `size` items per request (IAM's `MaxItems`, 1-1000; IAM's
   * default is 100).
   */
  pageSize(size: number): ResourceIterable<T> {
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw new RangeError(`pageSize must be an integer from 1 to 1000, got ${size}`);
    return new ResourceIterable(this.#fetch, { pageSize: size, limit: this.#limit });
  }

  /** The same listing, stopping after `count` items. */
  limit(count: number): ResourceIterable<T> {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`limit must be a non-negative integer, got ${count}`);
    return new ResourceIterable(this.#fetch, { pageSize: this.#pageSize, limit: count });
  }

  /** The listing page by page, as IAM answers it (the last page is cut at the limit). */
  async *pages(): AsyncGenerator<T[], void, undefined> {
    let remaining = this.#limit ?? Infinity;
    let marker: string | undefined;
    while (remaining > 0) {
      const size = this.#pageSize === undefined ? (remaining < 1000 ? remaining : undefined) : Math.min(this.#pageSize, remaining);
      const page = await this.#fetch(marker, size === undefined || size === Infinity ? undefined : size);
      const items = page.items.slice(0, remaining === Infinity ? undefined : remaining);
      remaining -= items.length;
      if (items.length > 0) yield items;
      // A truncated page without a marker would loop forever: stop instead.
      if (!page.isTruncated || !page.marker) return;
      marker = page.marker;
    }
  }

  /** Iterates the items, one page at a time. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page;
  }

  /** Fetches every page and returns all the items. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}

/**
 * A collection, as boto3 has them (`iam.users`, `user.accessKeys`): `all()` lists everything,
 * `filter(params)` lists with the operation's own filter parameters (PascalCase, as the SDK
 * takes them).
 *
 * @typeParam T - the resource each item is.
 * @typeParam F - the operation's filter parameters (for `ListUsers`, `{ PathPrefix?: string }`).
 */
export class Collection<T, F extends object = Record<string, never>> {
  readonly #list: (filter: F) => PageFetcher<T>;

  /** @param list - given the filter, returns the page fetcher. */
  constructor(list: (filter: F) => PageFetcher<T>) {
    this.#list = list;
  }

  /** Every item. */
  all(): ResourceIterable<T> {
    return new ResourceIterable(this.#list({} as F));
  }

  /** The items that match IAM's filter parameters, e.g. `{ PathPrefix: '/engineering/' }`. */
  filter(params: F): ResourceIterable<T> {
    return new ResourceIterable(this.#list({ ...params }));
  }

  /** Every item, `size` per request: `all().pageSize(size)`. */
  pageSize(size: number): ResourceIterable<T> {
    return this.all().pageSize(size);
  }

  /** At most `count` items: `all().limit(count)`. */
  limit(count: number): ResourceIterable<T> {
    return this.all().limit(count);
  }
}
