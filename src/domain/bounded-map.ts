/**
 * A Map with a fixed most entries, for the in-memory caches on the request path (sealed secrets
 * and tokens opened, policies parsed, SigV4 scopes, last-use writes...). Most are keyed by what a
 * request sends, often before its signature is checked, so anyone's requests can fill them: the
 * bound keeps memory fixed whatever they send. When full, a new key drops the oldest-inserted
 * entry (first in, first out, in the Map's own insertion order) rather than the whole map, so a
 * full cache keeps its recent entries and a flood costs the clients in use only a miss or two.
 *
 * Kept as small as a plain Map on the hot path: get is one lookup, set one more check when full.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, not ${maxEntries}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Sets the key; when full and the key is new, the oldest-inserted entry is dropped first. */
  set(key: K, value: V): this {
    if (this.map.size >= this.maxEntries && !this.map.has(key)) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
