import type { Statement } from './document.js';
import { parseOperator } from './operators.js';
import { valuesOf, type ContextValues } from './request-context.js';
import { resolvePattern, type Pattern, type VariableLookup } from './variables.js';

/**
 * Whether a statement's Condition block holds: every operator, and every key under it, must hold
 * (AND); the values listed for one key are alternatives (OR).
 */
export function conditionsHold(
  condition: Statement['Condition'],
  context: ContextValues,
  lookup: VariableLookup | undefined,
): boolean {
  return Object.entries(condition ?? {}).every(([name, keys]) =>
    Object.entries(keys).every(([key, policyValues]) => keyHolds(name, valuesOf(context, key), policyValues, lookup)),
  );
}

function keyHolds(
  operatorName: string,
  requestValues: readonly string[],
  policyValues: readonly string[],
  lookup: VariableLookup | undefined,
): boolean {
  const operator = parseOperator(operatorName);
  if (!operator) return false; // only reachable for a document that did not come through parsePolicyDocument
  const present = requestValues.length > 0;
  if (operator.base === 'Null') return policyValues.some((v) => (v.toLowerCase() === 'true') === !present);
  if (!present && operator.ifExists) return true;

  // A value whose variable has no value drops out: it matches no request value.
  const patterns = policyValues.map((v) => resolvePattern(v, lookup)).filter((p): p is Pattern => p !== null);
  const matchesAny = (r: string) => patterns.some((p) => operator.match(r, p));
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
