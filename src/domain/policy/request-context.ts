import type { RequestContext } from './evaluate.js';

/** The request's condition keys, lower-cased because AWS matches key names case-insensitively. */
export type ContextValues = Pick<ReadonlyMap<string, readonly string[]>, 'get'>;

/**
 * The condition context of a request, built when a condition or a policy variable first asks for
 * a key: most requests are decided by statements without either, and never pay for it.
 */
export function contextValues(request: RequestContext): ContextValues {
  let values: ContextValues | undefined;
  return { get: (key) => (values ??= allContextValues(request)).get(key) };
}

/**
 * Builds the condition context from the request. The principal's own keys are derived here rather
 * than trusted from the caller-supplied context, so they cannot be spoofed or forgotten.
 */
function allContextValues(request: RequestContext): ContextValues {
  const values = new Map<string, readonly string[]>();
  if (request.now) {
    values.set('aws:currenttime', [request.now.toISOString()]);
    values.set('aws:epochtime', [String(Math.floor(request.now.getTime() / 1000))]);
  }
  for (const [key, value] of Object.entries(request.context ?? {})) {
    if (value !== undefined) values.set(key.toLowerCase(), typeof value === 'string' ? [value] : [...value]);
  }
  const { principal } = request;
  values.set('aws:principalarn', [principal.arn]);
  values.set('aws:principalaccount', [principal.accountId]);
  if (principal.userName !== undefined) values.set('aws:username', [principal.userName]);
  if (principal.userId !== undefined) values.set('aws:userid', [principal.userId]);
  for (const [tag, value] of Object.entries(principal.tags ?? {})) values.set(`aws:principaltag/${tag.toLowerCase()}`, [value]);
  return values;
}

/** A key's values; a key holding an empty list counts as absent, as an absent multi-valued key does in AWS. */
export const valuesOf = (context: ContextValues, key: string): readonly string[] => context.get(key.toLowerCase()) ?? [];

/** Policy variables take single-valued keys only; a multi-valued key has no value as a variable. */
export const variableLookup =
  (context: ContextValues) =>
  (key: string): string | undefined => {
    const values = valuesOf(context, key);
    return values.length === 1 ? values[0] : undefined;
  };
