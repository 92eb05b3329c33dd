/**
 * Policy values after policy-variable substitution: literal text and the two wildcards. Keeping
 * wildcards apart from text is what lets `${*}` mean a literal asterisk while `*` matches anything,
 * and keeps a substituted user name from acting as a pattern.
 */
export interface Wildcard {
  readonly wildcard: '*' | '?';
}
export type Pattern = readonly (string | Wildcard)[];

const MULTI: Wildcard = { wildcard: '*' };
const SINGLE: Wildcard = { wildcard: '?' };

/** A single-valued context key, looked up case-insensitively; undefined when it has no value. */
export type VariableLookup = (key: string) => string | undefined;

// ${key} or ${key, 'default'}; '' inside the default is a quote (AWS's "Specifying default values").
const VARIABLE = /\$\{\s*([^\s,}']+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?\}/y;
const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };

/**
 * Resolves a policy value. Without a lookup (Version 2008-10-17 or none) `${...}` is plain text, as
 * in AWS. Returns null when a variable has no value and no default: that value then matches
 * nothing, as AWS documents for a policy variable with no value.
 */
export function resolvePattern(value: string, lookup: VariableLookup | undefined): Pattern | null {
  const pieces: (string | Wildcard)[] = [];
  let text = '';
  for (let i = 0; i < value.length; ) {
    if (lookup && value.startsWith('${', i)) {
      VARIABLE.lastIndex = i;
      const found = VARIABLE.exec(value);
      if (found) {
        const [whole, key, fallback] = found as unknown as [string, string, string | undefined];
        const resolved = ESCAPES[key] ?? lookup(key) ?? fallback?.replaceAll("''", "'");
        if (resolved === undefined) return null;
        text += resolved;
        i += whole.length;
        continue;
      }
    }
    const c = value[i]!;
    if (c === '*' || c === '?') {
      if (text) pieces.push(text);
      text = '';
      pieces.push(c === '*' ? MULTI : SINGLE);
    } else {
      text += c;
    }
    i++;
  }
  if (text) pieces.push(text);
  return pieces;
}

/** The pattern as plain text, for operators without wildcards (StringEquals, NumericEquals, …). */
export const patternText = (pattern: Pattern): string =>
  pattern.map((p) => (typeof p === 'string' ? p : p.wildcard)).join('');

/** The context keys a value's policy variables name, as written (`${*}`, `${?}` and `${$}` name none). */
export function variableNames(value: string): string[] {
  const names: string[] = [];
  for (let i = value.indexOf('${'); i >= 0; i = value.indexOf('${', i + 1)) {
    VARIABLE.lastIndex = i;
    const key = VARIABLE.exec(value)?.[1];
    if (key !== undefined && !(key in ESCAPES)) names.push(key);
  }
  return names;
}
