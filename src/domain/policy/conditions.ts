import type { WorkBudget } from '../work-budget.js';
import type { Statement } from './document.js';
import { type ConditionOperator, parseOperator } from './operators.js';
import { valuesOf, type ContextValues } from './request-context.js';
import { ConditionValue } from './value.js';
import { resolvePattern, type VariableLookup } from './variables.js';

/**
 * A statement's Condition block, prepared once per document: each operator parsed, each value
 * without a policy variable resolved and kept (with its matchers); values with a variable are
 * resolved per request.
 */
export interface CompiledCondition {
  operator: ConditionOperator | undefined;
  key: string;
  /** The values as written (the Null check reads them as they are). */
  raw: readonly string[];
  values: readonly (ConditionValue | string)[];
}

// Work units (work-budget.ts: about 10 ns each). A comparison of two prepared values (string
// equality of long values included: it is native); a key looked up; a value with a variable resolved.
const COMPARISON_UNITS = 4;
const KEY_UNITS = 30;
const RESOLVE_UNITS = 50;

/** How many condition values are prepared between two steps of a preparation (see preparation in evaluate.ts). */
const VALUES_PER_STEP = 64;
// Preparing a value: resolving it into text and wildcards, about a unit a character.
const PREPARE_UNITS = 20;

/**
 * Prepares a Condition block, yielding after every few values so that a caller holding a large
 * document (the simulator: 128 KiB, thousands of values) can give the event loop back between
 * steps. With a budget, each value's preparation is counted; `eager` also builds each value's
 * matcher (StringLike, ArnLike) now, counted, instead of inside the first evaluation that reaches it.
 */
export function* conditionPreparation(
  condition: Statement['Condition'],
  variables: boolean,
  budget: WorkBudget | undefined,
  eager: boolean,
): Generator<void, CompiledCondition[]> {
  const compiled: CompiledCondition[] = [];
  let sinceStep = 0;
  for (const [name, keys] of Object.entries(condition ?? {})) {
    const operator = parseOperator(name);
    for (const [key, raw] of Object.entries(keys)) {
      const values: (ConditionValue | string)[] = [];
      for (const v of raw) {
        budget?.spend(PREPARE_UNITS + v.length);
        if (variables && v.includes('${')) values.push(v);
        else {
          const value = ConditionValue.ofPolicy(resolvePattern(v, undefined)!);
          if (eager && budget) operator?.prepare?.(value, budget);
          values.push(value);
        }
        if (++sinceStep === VALUES_PER_STEP) {
          sinceStep = 0;
          yield;
        }
      }
      compiled.push({ operator, key, raw, values });
    }
  }
  return compiled;
}

/**
 * Whether a statement's Condition block holds: every operator, and every key under it, must hold
 * (AND); the values listed for one key are alternatives (OR). Each comparison is counted against
 * the budget: a thousand context values against a thousand policy values is a million of them.
 */
export function conditionsHold(
  conditions: readonly CompiledCondition[],
  context: ContextValues,
  lookup: VariableLookup | undefined,
  budget: WorkBudget,
): boolean {
  return conditions.every((c) => {
    budget.spend(KEY_UNITS);
    return keyHolds(c, valuesOf(context, c.key), lookup, budget);
  });
}

function keyHolds(condition: CompiledCondition, requestValues: readonly string[], lookup: VariableLookup | undefined, budget: WorkBudget): boolean {
  const { operator } = condition;
  if (!operator) return false; // only reachable for a document that did not come through parsePolicyDocument
  const present = requestValues.length > 0;
  if (operator.base === 'Null') return condition.raw.some((v) => (v.toLowerCase() === 'true') === !present);
  if (!present && operator.ifExists) return true;

  // A value whose variable has no value drops out: it matches no request value.
  const values: ConditionValue[] = [];
  for (const v of condition.values) {
    if (typeof v !== 'string') {
      values.push(v);
      continue;
    }
    budget.spend(RESOLVE_UNITS + 2 * v.length);
    const pattern = resolvePattern(v, lookup);
    if (pattern !== null) values.push(ConditionValue.ofPolicy(pattern));
  }
  const matchesAny = (text: string) => {
    const r = ConditionValue.ofRequest(text);
    return values.some((p) => {
      budget.spend(COMPARISON_UNITS);
      return operator.match(r, p, budget);
    });
  };
  const holdsFor = (r: string) => matchesAny(r) !== operator.negated;

  switch (operator.set) {
    case 'ForAllValues':
      return requestValues.every(holdsFor); // true for a missing or empty key, as AWS documents
    case 'ForAnyValue':
      return requestValues.some(holdsFor); // false for a missing or empty key
    default:
      return requestValues.some(matchesAny) !== operator.negated;
  }
}
