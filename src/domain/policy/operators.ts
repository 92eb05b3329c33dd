import type { WorkBudget } from '../work-budget.js';
import { inNetwork } from './ip.js';
import type { ConditionValue } from './value.js';

/**
 * Whether one request value matches one (resolved) policy value. Parsing and wildcard matching
 * count their own work against the budget; the caller counts each comparison.
 */
type Match = (requestValue: ConditionValue, policyValue: ConditionValue, budget: WorkBudget) => boolean;

const numeric = (compare: (a: number, b: number) => boolean): Match => (r, p, budget) => {
  const [a, b] = [r.number(budget), p.number(budget)];
  return !Number.isNaN(a) && !Number.isNaN(b) && compare(a, b);
};
const date = (compare: (a: number, b: number) => boolean): Match => (r, p, budget) => {
  const [a, b] = [r.date(budget), p.date(budget)];
  return a !== undefined && b !== undefined && compare(a, b);
};

const equals: Match = (r, p) => r.text === p.text;
const equalsIgnoreCase: Match = (r, p, budget) => r.lower(budget) === p.lower(budget);
const like: Match = (r, p, budget) => p.like(budget).test(r.text, budget);
const arnLike: Match = (r, p, budget) => p.arn(budget).test(r.text, budget);
const numericEquals = numeric((a, b) => a === b);
const dateEquals = date((a, b) => a === b);
const inCidr: Match = (r, p, budget) => {
  budget.spend(8); // big-integer arithmetic
  const [address, network] = [r.address(budget), p.network(budget)];
  return address !== undefined && network !== undefined && inNetwork(address, network);
};

/** Builds ahead what matching a policy value needs, where that is costly (a wildcard matcher). */
type Prepare = (policyValue: ConditionValue, budget: WorkBudget) => void;
const prepareArn: Prepare = (p, budget) => void p.arn(budget);

/**
 * The operators AWS defines. A negated operator is the negation of its positive form over all the
 * policy values ("not equal to any of them"), which is also what makes it true for a missing key.
 */
const OPERATORS: Record<string, { match: Match; negated: boolean; prepare?: Prepare }> = {
  StringEquals: { match: equals, negated: false },
  StringNotEquals: { match: equals, negated: true },
  StringEqualsIgnoreCase: { match: equalsIgnoreCase, negated: false },
  StringNotEqualsIgnoreCase: { match: equalsIgnoreCase, negated: true },
  StringLike: { match: like, negated: false, prepare: (p, budget) => void p.like(budget) },
  StringNotLike: { match: like, negated: true, prepare: (p, budget) => void p.like(budget) },
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
  BinaryEquals: { match: (r, p, budget) => r.bytes(budget).equals(p.bytes(budget)), negated: false },
  IpAddress: { match: inCidr, negated: false },
  NotIpAddress: { match: inCidr, negated: true },
  ArnEquals: { match: arnLike, negated: false, prepare: prepareArn },
  ArnLike: { match: arnLike, negated: false, prepare: prepareArn },
  ArnNotEquals: { match: arnLike, negated: true, prepare: prepareArn },
  ArnNotLike: { match: arnLike, negated: true, prepare: prepareArn },
};

export interface ConditionOperator {
  /** The operator without qualifier and suffix: 'StringEquals', 'Null', … */
  readonly base: string;
  readonly match: Match;
  readonly negated: boolean;
  readonly ifExists: boolean;
  readonly set: 'ForAnyValue' | 'ForAllValues' | undefined;
  /** Builds a policy value's matcher ahead of evaluation (StringLike, Arn*), counted. */
  readonly prepare?: Prepare;
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
