import type { WorkBudget } from '../work-budget.js';
import { parseConditionDate } from './dates.js';
import { type Address, type Network, parseCidr, parseIp } from './ip.js';
import { patternText, type Pattern } from './variables.js';
import { arnMatcher, stringLikeMatcher, type WildcardMatcher } from './wildcard.js';

/**
 * One side of a condition comparison: a policy value (after variable substitution) or a request
 * value. Each form an operator compares (lower case, number, date, address, bytes, wildcard
 * matcher) is computed once and kept, so comparing a thousand request values with a thousand
 * policy values parses each value once, not a million times; the parsing is counted against the
 * budget when it happens. A policy value without variables is prepared once per document.
 */
export class ConditionValue {
  private forms: {
    lower?: string;
    number?: number;
    date?: number | null;
    address?: Address | null;
    network?: Network | null;
    bytes?: Buffer;
    like?: WildcardMatcher;
    arn?: WildcardMatcher;
  } = {};

  private constructor(
    readonly text: string,
    /** The wildcards of a policy value; a request value is all text. */
    private readonly pattern: Pattern,
  ) {}

  static ofPolicy(pattern: Pattern): ConditionValue {
    return new ConditionValue(patternText(pattern), pattern);
  }

  static ofRequest(text: string): ConditionValue {
    return new ConditionValue(text, [text]);
  }

  /** The cost of a parse: a few units, more for a long value. */
  private parsed<T>(budget: WorkBudget, compute: () => T): T {
    budget.spend(PARSE_UNITS + (this.text.length >> 2));
    return compute();
  }

  lower(budget: WorkBudget): string {
    return (this.forms.lower ??= this.parsed(budget, () => this.text.toLowerCase()));
  }

  /** NaN when it is not a number. */
  number(budget: WorkBudget): number {
    return (this.forms.number ??= this.parsed(budget, () => (this.text.trim() === '' ? NaN : Number(this.text))));
  }

  date(budget: WorkBudget): number | undefined {
    if (this.forms.date === undefined) this.forms.date = this.parsed(budget, () => parseConditionDate(this.text) ?? null);
    return this.forms.date ?? undefined;
  }

  address(budget: WorkBudget): Address | undefined {
    if (this.forms.address === undefined) this.forms.address = this.parsed(budget, () => parseIp(this.text) ?? null);
    return this.forms.address ?? undefined;
  }

  network(budget: WorkBudget): Network | undefined {
    if (this.forms.network === undefined) this.forms.network = this.parsed(budget, () => parseCidr(this.text) ?? null);
    return this.forms.network ?? undefined;
  }

  bytes(budget: WorkBudget): Buffer {
    return (this.forms.bytes ??= this.parsed(budget, () => Buffer.from(this.text, 'base64')));
  }

  like(budget: WorkBudget): WildcardMatcher {
    return (this.forms.like ??= this.compiled(budget, () => stringLikeMatcher(this.pattern)));
  }

  arn(budget: WorkBudget): WildcardMatcher {
    return (this.forms.arn ??= this.compiled(budget, () => arnMatcher(this.pattern)));
  }

  /**
   * Building a wildcard matcher costs far more than a parse: typed arrays and a segment per `*`,
   * measured at 0.3-1.5 µs per character of pattern on a busy 2-core machine (the amplification
   * benchmark: 20,000 StringLike patterns took 600 ms uncounted at the old parse rate).
   */
  private compiled<T>(budget: WorkBudget, compute: () => T): T {
    budget.spend(COMPILE_UNITS + COMPILE_UNITS_PER_CHAR * this.text.length);
    return compute();
  }
}

const PARSE_UNITS = 40;
const COMPILE_UNITS = 100;
const COMPILE_UNITS_PER_CHAR = 40;
