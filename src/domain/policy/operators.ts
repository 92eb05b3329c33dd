import { parseConditionDate } from './dates.js';
import { ipInCidr } from './ip.js';
import { patternText, type Pattern } from './variables.js';
import { arnMatcher, stringLikeMatcher } from './wildcard.js';

/** Whether one request value matches one (resolved) policy value. */
type Match = (requestValue: string, policyValue: Pattern) => boolean;

const numeric = (compare: (a: number, b: number) => boolean): Match => (r, p) => {
  const [a, b] = [r, patternText(p)].map((s) => (s.trim() === '' ? NaN : Number(s))) as [number, number];
  return !Number.isNaN(a) && !Number.isNaN(b) && compare(a, b);
};
const date = (compare: (a: number, b: number) => boolean): Match => (r, p) => {
  const [a, b] = [parseConditionDate(r), parseConditionDate(patternText(p))];
  return a !== undefined && b !== undefined && compare(a, b);
};
const base64 = (s: string) => Buffer.from(s, 'base64');

const equals: Match = (r, p) => r === patternText(p);
const equalsIgnoreCase: Match = (r, p) => r.toLowerCase() === patternText(p).toLowerCase();
const like: Match = (r, p) => stringLikeMatcher(p).test(r);
const arnLike: Match = (r, p) => arnMatcher(p).test(r);
const numericEquals = numeric((a, b) => a === b);
const dateEquals = date((a, b) => a === b);
const inCidr: Match = (r, p) => ipInCidr(r, patternText(p));

/**
 * The operators AWS defines. A negated operator is the negation of its positive form over all the
 * policy values ("not equal to any of them"), which is also what makes it true for a missing key.
 */
const OPERATORS: Record<string, { match: Match; negated: boolean }> = {
  StringEquals: { match: equals, negated: false },
  StringNotEquals: { match: equals, negated: true },
  StringEqualsIgnoreCase: { match: equalsIgnoreCase, negated: false },
  StringNotEqualsIgnoreCase: { match: equalsIgnoreCase, negated: true },
  StringLike: { match: like, negated: false },
  StringNotLike: { match: like, negated: true },
  NumericEquals: { match: numericEquals, negated: false },
  NumericNotEquals: { match: numericEquals, negated: true },
  NumericLessThan: { match: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { match: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { match: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { match: numeric((a, b) => a >= b), negated: false },
  DateEquals: { match: dateEquals, negated: false },
  DateNotEquals: { match: dateEquals, negated: true },
  DateLessThan: { match: date((a, b) => a < b), negated: false },
  DateLessThanEquals: { match: date((a, b) => a <= b), negated: false },
  DateGreaterThan: { match: date((a, b) => a > b), negated: false },
  DateGreaterThanEquals: { match: date((a, b) => a >= b), negated: false },
  Bool: { match: equalsIgnoreCase, negated: false },
  BinaryEquals: { match: (r, p) => base64(r).equals(base64(patternText(p))), negated: false },
  IpAddress: { match: inCidr, negated: false },
  NotIpAddress: { match: inCidr, negated: true },
  ArnEquals: { match: arnLike, negated: false },
  ArnLike: { match: arnLike, negated: false },
  ArnNotEquals: { match: arnLike, negated: true },
  ArnNotLike: { match: arnLike, negated: true },
};

export interface ConditionOperator {
  /** The operator without qualifier and suffix: 'StringEquals', 'Null', … */
  readonly base: string;
  readonly match: Match;
  readonly negated: boolean;
  readonly ifExists: boolean;
  readonly set: 'ForAnyValue' | 'ForAllValues' | undefined;
}

/** Reads "ForAnyValue:StringLikeIfExists" and the like; undefined for anything AWS does not define. */
export function parseOperator(name: string): ConditionOperator | undefined {
  const qualified = /^(ForAnyValue|ForAllValues):(.*)$/.exec(name);
  const set = qualified?.[1] as ConditionOperator['set'];
  let base = qualified ? qualified[2]! : name;
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  if (base === 'Null') {
    // AWS defines no NullIfExists, nor a set form of the Null check.
    return ifExists || set ? undefined : { base, match: () => false, negated: false, ifExists, set };
  }
  const operator = Object.hasOwn(OPERATORS, base) ? OPERATORS[base] : undefined;
  return operator && { base, ...operator, ifExists, set };
}
