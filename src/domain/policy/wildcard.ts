import type { Pattern } from './variables.js';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const compile = (pattern: Pattern, wildcard: (kind: '*' | '?', index: number) => string, flags: string): RegExp =>
  new RegExp(`^${pattern.map((p, i) => (typeof p === 'string' ? escape(p) : wildcard(p.wildcard, i))).join('')}$`, flags);

/** Action names: `*` and `?` anywhere, case-insensitive ("iam:Get*" matches "IAM:GetUser"). */
export const actionMatcher = (pattern: Pattern): RegExp =>
  compile(pattern, (kind) => (kind === '*' ? '.*' : '.'), 'is');

/** StringLike: `*` and `?` anywhere, case-sensitive. */
export const stringLikeMatcher = (pattern: Pattern): RegExp =>
  compile(pattern, (kind) => (kind === '*' ? '.*' : '.'), 's');

/**
 * Resource ARNs, case-sensitive. AWS: wildcards work within a colon-separated segment, and a `*`
 * that ends a segment may expand beyond the colon (so "arn:aws:iam::*:user/*" spans any account).
 */
export const resourceMatcher = (pattern: Pattern): RegExp =>
  compile(
    pattern,
    (kind, i) => {
      if (kind === '?') return '[^:]';
      const next = pattern[i + 1];
      return next === undefined || (typeof next === 'string' && next.startsWith(':')) ? '.*' : '[^:]*';
    },
    's',
  );

/**
 * ArnEquals / ArnLike: "each of the six colon-delimited components of the ARN is checked separately"
 * (AWS), so a wildcard stays inside its component; the sixth, the resource, may itself hold colons.
 */
export function arnMatcher(pattern: Pattern): RegExp {
  let colons = 0;
  const source = pattern.map((p) => {
    if (typeof p === 'string') {
      colons += p.split(':').length - 1;
      return escape(p);
    }
    if (colons >= 5) return p.wildcard === '*' ? '.*' : '.';
    return p.wildcard === '*' ? '[^:]*' : '[^:]';
  });
  return new RegExp(`^${source.join('')}$`, 's');
}
