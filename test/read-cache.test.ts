/**
 * The SQLite driver's read cache (src/storage/sql/read-cache.ts) on its own: answers kept per
 * statement and parameters, never across an epoch, never for parameters that merely look alike,
 * frozen, and bounded. (That reads follow writes through a real database is the store conformance
 * suite's "reads … follow every write" test.)
 */
import { describe, expect, it } from 'vitest';
import { MISS, ReadCache } from '../src/storage/sql/read-cache.js';

const Q = 'SELECT * FROM t WHERE a = ? AND b = ?';

describe('ReadCache', () => {
  it('answers what was kept at the same epoch, and nothing after the epoch moves', () => {
    const cache = new ReadCache();
    cache.set(1, Q, ['x', 'y'], { n: 0 }); // before any get: the cache has not seen epoch 1, keeps nothing
    expect(cache.get(1, Q, ['x', 'y'])).toBe(MISS);
    cache.set(1, Q, ['x', 'y'], { n: 1 });
    expect(cache.get(1, Q, ['x', 'y'])).toEqual({ n: 1 });
    expect(cache.get(1, 'SELECT other', ['x', 'y'])).toBe(MISS);
    expect(cache.get(2, Q, ['x', 'y'])).toBe(MISS);
    // Read at epoch 1, kept after the cache has seen epoch 2: dropped, never served.
    cache.set(1, Q, ['x', 'y'], { n: 1 });
    expect(cache.get(2, Q, ['x', 'y'])).toBe(MISS);
  });

  it('keeps a miss (undefined) as an answer of its own', () => {
    const cache = new ReadCache();
    expect(cache.get(1, Q, ['x', 'y'])).toBe(MISS);
    cache.set(1, Q, ['x', 'y'], undefined);
    expect(cache.get(1, Q, ['x', 'y'])).toBeUndefined();
  });

  it('never takes one list of parameters for another, whatever characters they hold', () => {
    const cache = new ReadCache();
    const lists: (string | number | boolean | null | readonly string[])[][] = [
      ['a', 'b'],
      ['ab', ''],
      ['', 'ab'],
      ['a\u0000sb', 'c'],
      ['a', 'b\u0000sc'],
      ['1', 'b'],
      [1, 'b'],
      [true, 'b'],
      ['true', 'b'],
      [null, 'b'],
      ['', 'b'],
      [['a', 'b'], 'c'],
      [['a'], 'b,c'],
      ['s1:a', 'b'],
    ];
    expect(cache.get(1, Q, lists[0]!)).toBe(MISS); // the driver asks first, then keeps what it read
    lists.forEach((params, i) => cache.set(1, Q, params, i));
    lists.forEach((params, i) => expect(cache.get(1, Q, params)).toBe(i));
  });

  it('hands out frozen answers, lists and their rows', () => {
    const cache = new ReadCache();
    cache.get(1, Q, ['x', 'y']);
    cache.set(1, Q, ['x', 'y'], [{ id: 'a' }]);
    const rows = cache.get(1, Q, ['x', 'y']) as { id: string }[];
    expect(() => rows.push({ id: 'b' })).toThrow(TypeError);
    expect(() => {
      rows[0]!.id = 'changed';
    }).toThrow(TypeError);
  });

  it('keeps no long list and no Buffer parameter, and starts over past its size', () => {
    const cache = new ReadCache(3, 2);
    cache.get(1, Q, ['long', 'list']);
    cache.set(1, Q, ['long', 'list'], [{}, {}, {}]);
    expect(cache.get(1, Q, ['long', 'list'])).toBe(MISS);
    cache.set(1, Q, [Buffer.from('x'), 'y'], 1);
    expect(cache.get(1, Q, [Buffer.from('x'), 'y'])).toBe(MISS);
    for (let i = 0; i < 3; i++) cache.set(1, Q, [String(i), 'y'], i);
    expect(cache.get(1, Q, ['2', 'y'])).toBe(2);
    cache.set(1, Q, ['3', 'y'], 3); // the fourth: the cache starts over with it
    expect(cache.get(1, Q, ['0', 'y'])).toBe(MISS);
    expect(cache.get(1, Q, ['3', 'y'])).toBe(3);
  });
});
