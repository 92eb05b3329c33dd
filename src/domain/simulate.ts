import type { Caller } from './entities.js';
import type { Domain } from './context.js';
import { type Principal, type SourcedPolicy, requestContext } from './authorization.js';
import { policiesOfSource, resolvePolicySource } from './policy-source.js';
import { evaluate } from './policy/evaluate.js';
import { parsePolicyDocument } from './policy/document.js';

/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy: the same engine the server authorizes with,
 * answering for each action and resource whether it would be allowed and which statements decided.
 */

export interface SimulationInput {
  ActionNames: string[];
  ResourceArns?: string[];
  PolicyInputList?: string[];
  PermissionsBoundaryPolicyInputList?: string[];
  ContextEntries?: { ContextKeyName?: string; ContextKeyValues?: string[]; ContextKeyType?: string }[];
}

export interface SimulationResult {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  matched: { sourcePolicyId: string; sourcePolicyType: string }[];
}

const inputPolicies = (documents: string[] | undefined, listName: string): SourcedPolicy[] =>
  (documents ?? []).map((text, i) => ({ id: `${listName}.${i + 1}`, sourceType: 'none', document: parsePolicyDocument(text) }));

export async function simulatePrincipalPolicy(domain: Domain, input: SimulationInput & { PolicySourceArn: string }): Promise<SimulationResult[]> {
  // The user, group or role the ARN names, with its policies (policy-source.ts).
  const source = await resolvePolicySource(domain, input.PolicySourceArn);
  const { identity, boundary } = await policiesOfSource(domain, source);
  const extraBoundary = input.PermissionsBoundaryPolicyInputList && inputPolicies(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList');
  return simulate(domain, source, [...identity, ...inputPolicies(input.PolicyInputList, 'PolicyInputList')], extraBoundary ?? boundary, input);
}

export async function simulateCustomPolicy(domain: Domain, caller: Caller, input: SimulationInput & { PolicyInputList: string[] }): Promise<SimulationResult[]> {
  const boundary = input.PermissionsBoundaryPolicyInputList && inputPolicies(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList');
  return simulate(domain, caller, inputPolicies(input.PolicyInputList, 'PolicyInputList'), boundary, input);
}

function simulate(domain: Domain, caller: Principal, identity: SourcedPolicy[], boundary: SourcedPolicy[] | undefined, input: SimulationInput): SimulationResult[] {
  const types = new Map([...identity, ...(boundary ?? [])].map((p) => [p.id, p.sourceType]));
  const now = domain.clock.now();
  const results: SimulationResult[] = [];
  for (const action of input.ActionNames) {
    for (const resource of input.ResourceArns ?? ['*']) {
      const context = requestContext(caller, { action, resourceArn: resource }, { secureTransport: true }, now);
      for (const entry of input.ContextEntries ?? []) {
        if (entry.ContextKeyName) context.context![entry.ContextKeyName] = entry.ContextKeyValues ?? [];
      }
      const evaluation = evaluate(context, identity, boundary);
      results.push({
        action,
        resource,
        decision: evaluation.decision,
        // The statements that decided: the denies of an explicit deny, the allows of an allow.
        matched: evaluation.matched
          .filter((m) => (evaluation.decision === 'explicitDeny' ? m.effect === 'Deny' : evaluation.decision === 'allowed' && m.effect === 'Allow'))
          .map((m) => ({ sourcePolicyId: m.policyId, sourcePolicyType: types.get(m.policyId) ?? 'none' })),
      });
    }
  }
  return results;
}
