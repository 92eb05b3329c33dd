import type { Domain } from './context.js';
import type { SourcedPolicy } from './authorization.js';
import { IamError } from './errors.js';
import { type PolicyDocument, parsePolicyDocument } from './policy/document.js';
import { MalformedPolicyDocumentError } from './policy/malformed.js';
import { variableNames } from './policy/variables.js';
import { policiesOfSource, resolvePolicySource } from './policy-source.js';

/**
 * GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy: the context keys a policy
 * simulation of these documents may need, that is every condition key and every policy variable
 * (`${aws:username}` in a Resource, as AWS's own example shows) they name.
 *
 * Keys are compared regardless of case, as IAM compares them, so each is listed once, spelt as it
 * is first written; in the order written: statement by statement, a statement's resources before
 * its condition.
 */
export function contextKeysOf(documents: readonly PolicyDocument[]): string[] {
  const seen = new Set<string>();
  const keys: string[] = [];
  const add = (key: string) => {
    if (seen.has(key.toLowerCase())) return;
    seen.add(key.toLowerCase());
    keys.push(key);
  };
  for (const document of documents) {
    // Policy variables exist only in the 2012-10-17 language; elsewhere "${...}" is plain text.
    const variablesIn = (value: string) => (document.Version === '2012-10-17' ? variableNames(value) : []);
    for (const statement of document.Statement) {
      for (const resource of [...(statement.Resource ?? []), ...(statement.NotResource ?? [])]) variablesIn(resource).forEach(add);
      for (const keyValues of Object.values(statement.Condition ?? {})) {
        for (const [key, values] of Object.entries(keyValues)) {
          add(key);
          for (const value of values) variablesIn(value).forEach(add);
        }
      }
    }
  }
  return keys;
}

/**
 * Documents given in a request (PolicyInputList), validated as on write. These operations answer a
 * bad document with InvalidInput (the only error their model has; MalformedPolicyDocument is not
 * one of them), with AWS's sentence alone, as on write (policies.ts).
 */
function inputDocuments(texts: readonly string[] | undefined): PolicyDocument[] {
  return (texts ?? []).map((text) => {
    try {
      return parsePolicyDocument(text);
    } catch (e) {
      if (!(e instanceof MalformedPolicyDocumentError)) throw e;
      throw new IamError('InvalidInput', e.message);
    }
  });
}

export function contextKeysForCustomPolicy(input: { PolicyInputList: string[] }): string[] {
  return contextKeysOf(inputDocuments(input.PolicyInputList));
}

/**
 * The keys in every policy of the user, group or role (a user's groups' included; the permissions
 * boundary not: AWS names only the policies "attached to" the entity), then in PolicyInputList.
 * The entity's policies come in a fixed order: its own inline ones, its groups' inline ones, then
 * the managed ones, each by id.
 */
export async function contextKeysForPrincipalPolicy(domain: Domain, input: { PolicySourceArn: string; PolicyInputList?: string[] }): Promise<string[]> {
  const extra = inputDocuments(input.PolicyInputList);
  const source = await resolvePolicySource(domain, input.PolicySourceArn);
  const { identity } = await policiesOfSource(domain, source);
  const rank = (p: SourcedPolicy) => (p.sourceType === source.kind ? 0 : p.sourceType === 'group' ? 1 : 2);
  const ordered = [...identity].sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return contextKeysOf([...ordered.map((p) => p.document), ...extra]);
}
