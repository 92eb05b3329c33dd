import type { WorkBudget } from '../work-budget.js';
import type { Pattern } from './variables.js';

/**
 * Wildcard matching for policy values (`*` any run, `?` one character), in time proportional to
 * value length × pattern length at worst, never worse.
 *
 * These were regular expressions (`iam:Get*` → /^iam:Get.*$/). A backtracking engine takes time
 * exponential in the number of wildcards on a value that almost matches: the StringLike value
 * "a*a*a*a*a*a*b" against 120 a's ran for over 56 s. Here a pattern is a small automaton and all
 * of its states advance together over the value (Thompson's construction), and every step is
 * counted against the request's work budget.
 *
 * Characters are UTF-16 code units, as they were in the regular expressions (no `u` flag).
 */

const LITERAL = 0;
const ONE = 1; // `?`
const MANY = 2; // `*`

/** What a wildcard may stand for: any character, or any but ':' (it stays inside one ARN segment). */
const ANY = 0;
const SEGMENT = 1;
const COLON = 0x3a;

/** A run of literals and `?` between two `*`: tokens [from, to); `literal` when it has no `?`. */
interface Segment {
  from: number;
  to: number;
  literal: string | undefined;
}

export class WildcardMatcher {
  /**
   * How this pattern is matched. The common shapes need no search: no wildcard ("iam:GetUser"), a
   * literal prefix and a final `*` ("iam:Get*"), or only `*`. When every wildcard may stand for any
   * character (actions, StringLike, most resources), the runs between the `*`s are found left to
   * right, each at its first place (which is always right for such patterns). Otherwise (a `*`
   * that stays inside an ARN segment) the automaton runs.
   */
  private readonly strategy: 'literal' | 'prefix' | 'anything' | 'segments' | 'automaton';
  /** Literal characters before the first wildcard. */
  private readonly prefixLength: number;
  private readonly segments: Segment[] = [];
  /** The fewest characters a matching value has. */
  private readonly minLength: number;

  constructor(
    private readonly kinds: Uint8Array,
    /** The (case-folded) character of a literal; the character class of a wildcard. */
    private readonly codes: Uint16Array,
    private readonly foldCase: boolean,
  ) {
    const n = kinds.length;
    let prefix = 0;
    while (prefix < n && kinds[prefix] === LITERAL) prefix++;
    this.prefixLength = prefix;
    let anyOnly = true;
    let minLength = 0;
    for (let i = 0; i < n; i++) {
      if (kinds[i] !== LITERAL && codes[i] !== ANY) anyOnly = false;
      if (kinds[i] !== MANY) minLength++;
    }
    this.minLength = minLength;
    if (prefix === n) this.strategy = 'literal';
    else if (prefix === n - 1 && kinds[prefix] === MANY && codes[prefix] === ANY) this.strategy = prefix === 0 ? 'anything' : 'prefix';
    else if (anyOnly) {
      this.strategy = 'segments';
      // The pattern's characters as one string, each segment's literal a slice of it: one string
      // made per pattern, not one (and a typed-array view) per segment (a StringLike value may hold
      // thousands of `*`; a 128 KiB policy, thousands of such values).
      const text = charactersOf(codes);
      for (let from = 0; ; ) {
        let to = from;
        let questions = false;
        for (; to < n && kinds[to] !== MANY; to++) if (kinds[to] === ONE) questions = true;
        this.segments.push({ from, to, literal: questions ? undefined : text.slice(from, to) });
        if (to === n) break;
        from = to + 1;
      }
    } else this.strategy = 'automaton';
  }

  test(value: string, budget?: WorkBudget): boolean {
    switch (this.strategy) {
      case 'anything':
        budget?.spend(2);
        return true;
      case 'literal':
        return value.length === this.prefixLength && this.startsWith(value, budget);
      case 'prefix':
        return value.length >= this.prefixLength && this.startsWith(value, budget);
      case 'segments':
        return this.matchSegments(this.foldCase ? foldedString(value) : value, budget);
      default:
        return this.run(value, budget);
    }
  }

  private startsWith(value: string, budget: WorkBudget | undefined): boolean {
    budget?.spend(4 + (this.prefixLength >> 4));
    const { codes } = this;
    for (let i = 0; i < this.prefixLength; i++) {
      const c = value.charCodeAt(i);
      if ((this.foldCase ? fold(c) : c) !== codes[i]) return false;
    }
    return true;
  }

  /** S0 * S1 * … * Sk: S0 starts the value, Sk ends it, S1 … Sk-1 are found in order between. */
  private matchSegments(value: string, budget: WorkBudget | undefined): boolean {
    budget?.spend(4);
    const n = value.length;
    if (n < this.minLength) return false;
    const { segments } = this;
    const first = segments[0]!;
    if (segments.length === 1) return n === first.to - first.from && this.matchesAt(value, 0, first, budget);
    const last = segments[segments.length - 1]!;
    const end = n - (last.to - last.from);
    if (!this.matchesAt(value, 0, first, budget) || !this.matchesAt(value, end, last, budget)) return false;
    let at = first.to - first.from;
    for (let k = 1; k < segments.length - 1; k++) {
      const segment = segments[k]!;
      const length = segment.to - segment.from;
      if (length === 0) continue;
      const found = this.find(value, at, end - length, segment, budget);
      if (found < 0) return false;
      at = found + length;
    }
    return true;
  }

  private matchesAt(value: string, at: number, segment: Segment, budget: WorkBudget | undefined): boolean {
    const { kinds, codes } = this;
    budget?.spend(1 + ((segment.to - segment.from) >> 4));
    for (let t = segment.from, i = at; t < segment.to; t++, i++) {
      if (kinds[t] === LITERAL && value.charCodeAt(i) !== codes[t]) return false;
    }
    return true;
  }

  /** The first place at or after `from`, and not after `latest`, where the segment matches; or -1. */
  private find(value: string, from: number, latest: number, segment: Segment, budget: WorkBudget | undefined): number {
    if (latest < from) return -1;
    if (segment.literal !== undefined) {
      const found = value.indexOf(segment.literal, from);
      budget?.spend(4 + ((found < 0 ? value.length - from : found - from) >> 2) + (segment.literal.length >> 4));
      return found <= latest ? found : -1;
    }
    const { kinds, codes } = this;
    let steps = 0;
    for (let p = from; p <= latest; p++) {
      let t = segment.from;
      for (let i = p; t < segment.to && (kinds[t] !== LITERAL || value.charCodeAt(i) === codes[t]); t++, i++);
      steps += t - segment.from + 1;
      if (t === segment.to) {
        budget?.spend(steps);
        return p;
      }
      if (steps >= 4096) {
        budget?.spend(steps);
        steps = 0;
      }
    }
    budget?.spend(steps);
    return -1;
  }

  /** Every state of the automaton at once: state i waits for token i; state n has matched. */
  private run(value: string, budget: WorkBudget | undefined): boolean {
    const { kinds, codes } = this;
    const n = kinds.length;
    const sets = scratch(n + 1);
    let current = sets.a;
    let next = sets.b;
    const stamp = sets.stamp;
    let generation = nextGeneration(n + 1);
    let size = addState(current, 0, 0, stamp, generation, kinds);
    let pending = 0;
    for (let i = 0; i < value.length && size > 0; i++) {
      const c = this.foldCase ? fold(value.charCodeAt(i)) : value.charCodeAt(i);
      generation = nextGeneration(n + 1);
      let nextSize = 0;
      for (let j = 0; j < size; j++) {
        const state = current[j]!;
        if (state === n) continue;
        const kind = kinds[state];
        if (kind === LITERAL) {
          if (codes[state] === c) nextSize = addState(next, nextSize, state + 1, stamp, generation, kinds);
        } else if (codes[state] === ANY || c !== COLON) {
          nextSize = addState(next, nextSize, kind === ONE ? state + 1 : state, stamp, generation, kinds);
        }
      }
      pending += size;
      if (pending >= 4096) {
        budget?.spend(pending);
        pending = 0;
      }
      [current, next] = [next, current];
      size = nextSize;
    }
    budget?.spend(pending + 4);
    for (let j = 0; j < size; j++) if (current[j] === n) return true;
    return false;
  }
}

/** Adds a state and, past each `*` (which may stand for nothing), the states after it. */
function addState(set: Int32Array, size: number, state: number, stamp: Uint32Array, generation: number, kinds: Uint8Array): number {
  for (;;) {
    if (stamp[state] === generation) return size;
    stamp[state] = generation;
    set[size++] = state;
    if (state >= kinds.length || kinds[state] !== MANY) return size;
    state++;
  }
}

// Matching is synchronous, so one set of scratch arrays serves every matcher.
let shared = { a: new Int32Array(64), b: new Int32Array(64), stamp: new Uint32Array(64) };
let generationCounter = 0;

function scratch(states: number) {
  if (shared.a.length < states) {
    const size = Math.max(states, shared.a.length * 2);
    shared = { a: new Int32Array(size), b: new Int32Array(size), stamp: new Uint32Array(size) };
    generationCounter = 0;
  }
  return shared;
}

function nextGeneration(states: number): number {
  if (++generationCounter === 0xffffffff) {
    shared.stamp.fill(0, 0, Math.max(states, shared.stamp.length));
    generationCounter = 1;
  }
  return generationCounter;
}

/** The characters of some UTF-16 code units (in chunks: a spread of 100,000 arguments overflows). */
function charactersOf(codes: Uint16Array): string {
  let text = '';
  for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode(...codes.subarray(i, i + 8192));
  return text;
}

// An action is matched against every action pattern of every policy: fold it once.
let lastFolded: { value: string; folded: string } = { value: '', folded: '' };

function foldedString(value: string): string {
  if (value !== lastFolded.value) {
    const codes = new Uint16Array(value.length);
    for (let i = 0; i < value.length; i++) codes[i] = fold(value.charCodeAt(i));
    lastFolded = { value, folded: charactersOf(codes) };
  }
  return lastFolded.folded;
}

const folded = new Map<number, number>();

/**
 * Case folding as a case-insensitive regular expression without the `u` flag did it (the
 * specification's Canonicalize): the upper-case form, unless it is not one code unit, or it would
 * turn a non-ASCII character into an ASCII one.
 */
function fold(c: number): number {
  if (c < 0x80) return c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
  let f = folded.get(c);
  if (f === undefined) {
    const upper = String.fromCharCode(c).toUpperCase();
    f = upper.length !== 1 || upper.charCodeAt(0) < 0x80 ? c : upper.charCodeAt(0);
    folded.set(c, f);
  }
  return f;
}

function compile(pattern: Pattern, wildcardClass: (index: number) => number, foldCase: boolean): WildcardMatcher {
  let length = 0;
  for (const piece of pattern) length += typeof piece === 'string' ? piece.length : 1;
  const kinds = new Uint8Array(length);
  const codes = new Uint16Array(length);
  let at = 0;
  pattern.forEach((piece, i) => {
    if (typeof piece === 'string') {
      for (let k = 0; k < piece.length; k++, at++) codes[at] = foldCase ? fold(piece.charCodeAt(k)) : piece.charCodeAt(k);
    } else {
      kinds[at] = piece.wildcard === '*' ? MANY : ONE;
      codes[at++] = wildcardClass(i);
    }
  });
  return new WildcardMatcher(kinds, codes, foldCase);
}

/** Action names: `*` and `?` anywhere, case-insensitive ("iam:Get*" matches "IAM:GetUser"). */
export const actionMatcher = (pattern: Pattern): WildcardMatcher => compile(pattern, () => ANY, true);

/** StringLike: `*` and `?` anywhere, case-sensitive. */
export const stringLikeMatcher = (pattern: Pattern): WildcardMatcher => compile(pattern, () => ANY, false);

/**
 * Resource ARNs, case-sensitive. AWS: wildcards work within a colon-separated segment, and a `*`
 * that ends a segment may expand beyond the colon (so "arn:aws:iam::*:user/*" spans any account).
 */
export const resourceMatcher = (pattern: Pattern): WildcardMatcher =>
  compile(
    pattern,
    (i) => {
      const piece = pattern[i]!;
      if (typeof piece !== 'string' && piece.wildcard === '?') return SEGMENT;
      const next = pattern[i + 1];
      return next === undefined || (typeof next === 'string' && next.startsWith(':')) ? ANY : SEGMENT;
    },
    false,
  );

/**
 * ArnEquals / ArnLike: "each of the six colon-delimited components of the ARN is checked separately"
 * (AWS), so a wildcard stays inside its component; the sixth, the resource, may itself hold colons.
 */
export function arnMatcher(pattern: Pattern): WildcardMatcher {
  const colonsBefore: number[] = [];
  let colons = 0;
  for (const piece of pattern) {
    colonsBefore.push(colons);
    if (typeof piece === 'string') colons += piece.split(':').length - 1;
  }
  return compile(pattern, (i) => (colonsBefore[i]! >= 5 ? ANY : SEGMENT), false);
}
