import type { Caller } from './entities.js';
import type { Domain } from './context.js';
import { IamError } from './errors.js';
import { type Principal, type SourcedPolicy, requestContext } from './authorization.js';
import { policiesOfSource, resolvePolicySource } from './policy-source.js';
import { documentPreparation, evaluate } from './policy/evaluate.js';
import { parsePolicyDocument } from './policy/document.js';
import { encodeMarker, pageOf } from './paging.js';
import { TimeSlice } from './time-slice.js';
import { WorkBudget, WorkLimitExceeded } from './work-budget.js';

/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy: the same engine the server authorizes with,
 * answering for each action and resource whether it would be allowed and which statements decided.
 *
 * The answer is paged (Marker, MaxItems: at most 1000), and only the page asked for is evaluated:
 * 400 actions × 400 resources is 160,000 results, of which a request computes at most 1000. The
 * work of a page is counted against a budget (work-budget.ts): when it runs out, the page ends
 * early with IsTruncated and a Marker, as AWS allows ("IAM might return fewer results, even when
 * there are more results available"). The same budget first pays for parsing the request's
 * documents and preparing every document (their matchers included): a request whose documents
 * and first result need more than the whole budget is refused with InvalidInput. Every step
 * (a document parsed, a statement or a few condition values prepared, a result) is followed by a
 * checkpoint that gives the event loop back every few milliseconds.
 */

export interface SimulationInput {
  ActionNames: string[];
  Marker?: string;
  MaxItems?: number;
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

/**
 * The request's documents, parsed one per turn of the event loop (a 1 MiB request holds eight of
 * 128 KiB), and counted against the request's budget (JSON.parse and the checks: about half a
 * unit a character).
 */
async function inputPolicies(documents: string[] | undefined, listName: string, work: SimulationWork): Promise<SourcedPolicy[]> {
  const policies: SourcedPolicy[] = [];
  for (const [i, text] of (documents ?? []).entries()) {
    await work.slice.checkpoint();
    spendOrRefuse(work.budget, PARSE_UNITS + (text.length >> 1));
    policies.push({ id: `${listName}.${i + 1}`, sourceType: 'none', document: parsePolicyDocument(text) });
  }
  return policies;
}

const PARSE_UNITS = 100;

/**
 * One simulation request's work: a budget (work-budget.ts) that covers parsing the request's
 * documents, preparing every document, and evaluating the page; and the slice that gives the
 * event loop back between steps.
 */
interface SimulationWork {
  budget: WorkBudget;
  slice: TimeSlice;
}

const newWork = (): SimulationWork => ({ budget: new WorkBudget(), slice: new TimeSlice() });

/** Before any result is computed, running out of budget refuses the request. */
function spendOrRefuse(budget: WorkBudget, units: number): void {
  try {
    budget.spend(units);
  } catch (e) {
    throw e instanceof WorkLimitExceeded ? tooMuchWork(e.limit) : e;
  }
}

export interface SimulationPage {
  results: SimulationResult[];
  isTruncated: boolean;
  marker?: string;
}

export async function simulatePrincipalPolicy(domain: Domain, input: SimulationInput & { PolicySourceArn: string }): Promise<SimulationPage> {
  // The user, group or role the ARN names, with its policies (policy-source.ts).
  const source = await resolvePolicySource(domain, input.PolicySourceArn);
  const { identity, boundary } = await policiesOfSource(domain, source);
  const work = newWork();
  const extraBoundary = input.PermissionsBoundaryPolicyInputList && (await inputPolicies(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList', work));
  return simulate(domain, source, [...identity, ...(await inputPolicies(input.PolicyInputList, 'PolicyInputList', work))], extraBoundary ?? boundary, input, work);
}

export async function simulateCustomPolicy(domain: Domain, caller: Caller, input: SimulationInput & { PolicyInputList: string[] }): Promise<SimulationPage> {
  const work = newWork();
  const boundary = input.PermissionsBoundaryPolicyInputList && (await inputPolicies(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList', work));
  return simulate(domain, caller, await inputPolicies(input.PolicyInputList, 'PolicyInputList', work), boundary, input, work);
}

async function simulate(
  domain: Domain,
  caller: Principal,
  identity: readonly SourcedPolicy[],
  boundary: readonly SourcedPolicy[] | undefined,
  input: SimulationInput,
  { budget, slice }: SimulationWork,
): Promise<SimulationPage> {
  const types = new Map([...identity, ...(boundary ?? [])].map((p) => [p.id, p.sourceType]));
  const now = domain.clock.now();
  const resources = input.ResourceArns ?? ['*'];
  // Results run action by action, each over every resource, as AWS lists them.
  const page = pageOf(input.ActionNames.length * resources.length, input);
  const entries: Record<string, string[]> = Object.create(null);
  let entriesCost = 0;
  for (const entry of input.ContextEntries ?? []) {
    if (entry.ContextKeyName) entries[entry.ContextKeyName] = entry.ContextKeyValues ?? [];
    entriesCost += 1 + (entry.ContextKeyValues?.length ?? 0); // copied into every evaluation's context
  }
  // The documents are prepared (values, action, resource and condition matchers) ahead of the
  // first evaluation, step by step, with the loop given back between steps: a 1 MiB request
  // holds several 128 KiB documents, whose matchers took ~100 ms to build inside one evaluation.
  for (const policy of [...identity, ...(boundary ?? [])]) {
    const steps = documentPreparation(policy.document, budget);
    for (;;) {
      await slice.checkpoint();
      let step;
      try {
        step = steps.next();
      } catch (e) {
        throw e instanceof WorkLimitExceeded ? tooMuchWork(e.limit) : e;
      }
      if (step.done) break;
    }
  }
  const results: SimulationResult[] = [];
  for (let i = page.start; i < page.end; i++) {
    await slice.checkpoint();
    const action = input.ActionNames[Math.floor(i / resources.length)]!;
    const resource = resources[i % resources.length]!;
    const context = requestContext(caller, { action, resourceArn: resource }, { secureTransport: true }, now);
    for (const key in entries) context.context![key] = entries[key];
    let evaluation;
    try {
      budget.spend(entriesCost);
      evaluation = evaluate(context, identity, boundary, budget);
    } catch (e) {
      if (!(e instanceof WorkLimitExceeded)) throw e;
      // AWS: "IAM might return fewer results, even when there are more results available": the
      // page ends here, and the next one starts with this result (with a budget of its own).
      if (results.length === 0) throw tooMuchWork(e.limit);
      return { results, isTruncated: true, marker: encodeMarker(String(i)) };
    }
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
  return { results, isTruncated: page.isTruncated, marker: page.marker };
}

/**
 * AWS documents no limit on the simulator's inputs besides their lengths, and no error for a
 * simulation too costly to run. iamd answers InvalidInput (400, modelled for both simulator
 * operations; PolicyEvaluation, the other, is a 500): the caller's input is what is too large, a
 * retry would fail the same way (so not Throttling or a 5xx, which SDKs retry), and simpler
 * conditions pass.
 */
const tooMuchWork = (limit: number) =>
  new IamError(
    'InvalidInput',
    `Preparing the policies and evaluating one result of this simulation needs more than ${limit} evaluation steps, the most this server spends on a request. Simplify the policies' conditions or the context values.`,
  );
