import type { Param } from './sql.js';

/**
 * Answers of read-only statements, kept between requests for as long as the database has not
 * changed: a read (an access key's secret, a user, its tags, its policies) is asked again on
 * nearly every request, and most databases change rarely next to how often they are read.
 *
 * Whole-cache invalidation, by the driver's change counter (`epoch`): an answer is kept with the
 * epoch it was read at and is good only while the epoch is the same. The driver moves the epoch on
 * every write (any statement that is not read-only, any transaction), so no repository has to know
 * the cache is there, and none can forget to tell it. A driver uses this only where its epoch is
 * exact (SQLite: its own writes, and PRAGMA data_version for other processes on the same file).
 *
 * Answers are frozen, rows and lists: they are shared by every request that reads them, so a
 * caller that tried to change one would throw rather than change another request's data.
 */
export class ReadCache {
  /** statement text → parameters' key → the frozen answer. */
  private answers = new Map<string, Map<string, unknown>>();
  private size = 0;
  private epoch = Number.NaN;

  constructor(
    /** The most answers kept; past it the cache starts over (a scan of many rows does not grow it without bound). */
    private readonly maxAnswers = 20_000,
    /** Lists longer than this are not kept (pages of a listing are read once each). */
    private readonly maxRows = 64,
  ) {}

  /** The kept answer, or `MISS`. */
  get(epoch: number, text: string, params: readonly Param[]): unknown {
    if (epoch !== this.epoch) {
      this.reset(epoch);
      return MISS;
    }
    const byParams = this.answers.get(text);
    if (byParams === undefined) return MISS;
    const key = paramsKey(params);
    if (key === undefined) return MISS;
    const answer = byParams.get(key);
    return answer === undefined && !byParams.has(key) ? MISS : answer;
  }

  /**
   * Keeps an answer read at `epoch`, after a `get` at that epoch missed (the driver's order).
   * Nothing is kept if the cache has seen another epoch since: the database may have changed.
   */
  set(epoch: number, text: string, params: readonly Param[], answer: unknown): void {
    if (epoch !== this.epoch) return;
    const key = paramsKey(params);
    if (key === undefined) return;
    if (Array.isArray(answer)) {
      if (answer.length > this.maxRows) return;
      for (const row of answer) Object.freeze(row);
    }
    Object.freeze(answer);
    if (this.size >= this.maxAnswers) this.reset(epoch);
    let byParams = this.answers.get(text);
    if (byParams === undefined) this.answers.set(text, (byParams = new Map()));
    if (!byParams.has(key)) this.size++;
    byParams.set(key, answer);
  }

  private reset(epoch: number): void {
    if (this.size > 0) this.answers = new Map();
    this.size = 0;
    this.epoch = epoch;
  }
}

export const MISS = Symbol('not cached');

/**
 * One string for a statement's parameters; undefined for parameters not worth keying (a Buffer).
 * A statement always has the same number of parameters, so one string parameter is its own key;
 * otherwise each is typed and its length given, so no two lists of parameters share a key
 * whatever characters they hold.
 */
function paramsKey(params: readonly Param[]): string | undefined {
  if (params.length === 1 && typeof params[0] === 'string') return params[0];
  let key = '';
  for (const p of params) {
    if (typeof p === 'string') key += `s${p.length}:${p}`;
    else if (typeof p === 'number' || typeof p === 'boolean') key += `${typeof p === 'number' ? 'n' : 'b'}${p};`;
    else if (p === null) key += 'z';
    else if (Array.isArray(p)) {
      const json = JSON.stringify(p);
      key += `a${json.length}:${json}`;
    } else return undefined;
  }
  return key;
}
