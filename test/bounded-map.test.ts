import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../src/domain/bounded-map.js';
import { parseCredential, SCOPES_KEPT } from '../src/protocol/sigv4/parse.js';

describe('BoundedMap', () => {
  it('drops the oldest-inserted entry when a new key comes to a full map', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1).set('b', 2).set('c', 3);
    map.set('d', 4);
    expect(map.size).toBe(3);
    expect(map.get('a')).toBeUndefined();
    expect(map.has('a')).toBe(false);
    expect([map.get('b'), map.get('c'), map.get('d')]).toEqual([2, 3, 4]);
    map.set('e', 5);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('c')).toBe(3);
  });

  it('re-setting a key already there, when full, evicts nothing and keeps its place', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1).set('b', 2).set('c', 3);
    map.set('a', 10);
    expect(map.size).toBe(3);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([10, 2, 3]);
    // Insertion order, not last write: 'a' is still the oldest.
    map.set('d', 4);
    expect(map.get('a')).toBeUndefined();
    expect(map.get('b')).toBe(2);
  });

  it('never holds more than its bound', () => {
    const map = new BoundedMap<number, number>(5);
    for (let i = 0; i < 100; i++) {
      map.set(i, i);
      expect(map.size).toBe(Math.min(i + 1, 5));
    }
    expect([...Array(100).keys()].filter((i) => map.has(i))).toEqual([95, 96, 97, 98, 99]);
  });

  it('delete and clear free room', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    map.set('c', 3);
    expect(map.get('b')).toBe(2);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get('b')).toBeUndefined();
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
    expect(() => new BoundedMap(1.5)).toThrow(RangeError);
  });
});

describe('SigV4 credential scopes are kept within their bound', () => {
  // parseCredential hands back the kept (frozen) object on a hit and a new one on a miss, so
  // object identity shows whether a credential is still kept. Texts are unique to this test:
  // whatever other files left in the map is older than all of them.
  const run = `${process.pid}${Date.now()}`;
  const credential = (i: number) => `AKIA${run}X${i}/20260101/us-east-1/iam/aws4_request`;

  it('keeps the latest SCOPES_KEPT credentials and drops the oldest, not all', () => {
    const kept = [];
    for (let i = 0; i < SCOPES_KEPT; i++) kept.push(parseCredential(credential(i)));
    expect(parseCredential(credential(0))).toBe(kept[0]); // the bound's worth: all kept
    parseCredential(credential(SCOPES_KEPT)); // one more: the oldest goes, and only it
    for (let i = 1; i < SCOPES_KEPT; i++) expect(parseCredential(credential(i))).toBe(kept[i]);
    const again = parseCredential(credential(0));
    expect(again).not.toBe(kept[0]);
    expect(again).toEqual(kept[0]);
  });

  it('does not keep a credential longer than a real client sends (anyone can send one)', () => {
    const long = `AKIA${'A'.repeat(300)}/20260101/us-east-1/iam/aws4_request`;
    const once = parseCredential(long);
    expect(once).toBeDefined();
    expect(parseCredential(long)).not.toBe(once);
  });
});
