import { parseConditionDate } from './dates.js';
import { malformed, MESSAGES } from './malformed.js';
import { parseOperator } from './operators.js';
import { failsLegacyParsing, resourceFormatError } from './resource-format.js';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  /** operator -> key -> values, as written (keys keep their case; AWS compares them case-insensitively). */
  Condition?: Record<string, Record<string, string[]>>;
  /** Trust policies only: who may assume the role ("*" is read as {AWS: ["*"]}, as AWS reads it). */
  Principal?: Principals;
  NotPrincipal?: Principals;
}

/** A statement's principals by type, each a list as written. */
export type Principals = Partial<Record<PrincipalType, string[]>>;
export type PrincipalType = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';
const PRINCIPAL_TYPES: ReadonlySet<string> = new Set<PrincipalType>(['AWS', 'Service', 'Federated', 'CanonicalUser']);

export interface PolicyDocument {
  Version?: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: Statement[];
}

export interface ParseOptions {
  /**
   * CreatePolicy and CreatePolicyVersion refuse documents without Version 2012-10-17 (AWS: "Policy
   * document must be version 2012-10-17 or greater."); inline policies accept 2008-10-17 or none.
   */
  requireVersion2012?: boolean;
  /**
   * 'identity' (the default): a user's, group's or role's permissions policy, which may not name a
   * principal. 'trust': a role's trust policy (AssumeRolePolicyDocument), which must name one and
   * may not name a resource; trust.ts checks the rest of what is particular to it.
   */
  kind?: 'identity' | 'trust';
  /**
   * false for AWS's own managed policies: IAM holds them without the write-time format checks of
   * resources and actions (SageMakerStudioProjectRoleMachineLearningPolicy names an S3 ARN with a
   * region, which CreatePolicy refuses), so only their structure is read.
   */
  checkFormats?: boolean;
}

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
  'Principal',
  'NotPrincipal',
]);
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const syntax = (detail: string) => malformed(MESSAGES.syntax, detail);
const at = (index: number) => `statement ${index + 1}`;

/**
 * Parses and validates a policy document as IAM does on write; throws MalformedPolicyDocument with
 * AWS's message (see malformed.ts) and a precise `detail`. The checks run in AWS's order, so a
 * document with several faults gets the message AWS would give: syntax, version, principal,
 * legacy parsing, Sids, actions, resources, resource formats, action formats.
 */
export function parsePolicyDocument(text: string, options: ParseOptions = {}): PolicyDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw syntax('the document is not JSON');
  }
  const { document, rawStatements } = readDocument(raw);

  if (options.requireVersion2012 && document.Version !== '2012-10-17') {
    throw malformed(MESSAGES.version, `Version is ${document.Version ?? 'missing'}; managed policies need 2012-10-17`);
  }
  const trust = options.kind === 'trust';
  rawStatements.forEach((s, i) => {
    const named = 'Principal' in s || 'NotPrincipal' in s;
    if (!trust && named) throw malformed(MESSAGES.principal, `${at(i)} has a Principal; identity policies cannot`);
    if (trust && !named) throw malformed(MESSAGES.missingPrincipal, `${at(i)} has no Principal or NotPrincipal`);
    if (trust && ('Resource' in s || 'NotResource' in s)) throw malformed(MESSAGES.prohibitedResource, `${at(i)} names a resource`);
  });
  checkLegacyParsing(document.Statement);
  checkSids(document.Statement);

  const statements = document.Statement;
  statements.forEach((s, i) => {
    if (!(s.Action ?? s.NotAction)?.length) throw malformed(MESSAGES.noActions, `${at(i)} has no Action or NotAction`);
  });
  if (!trust) {
    statements.forEach((s, i) => {
      if (!(s.Resource ?? s.NotResource)?.length) throw malformed(MESSAGES.noResources, `${at(i)} has no Resource or NotResource`);
    });
  }
  if (options.checkFormats === false) return document;
  for (const s of statements) {
    for (const resource of [...(s.Resource ?? []), ...(s.NotResource ?? [])]) {
      const error = resourceFormatError(resource);
      if (error) throw malformed(error);
    }
  }
  for (const s of statements) for (const action of [...(s.Action ?? []), ...(s.NotAction ?? [])]) checkAction(action);
  return document;
}

/** The syntax phase: shapes and element names. Everything here is AWS's "Syntax errors in policy." */
function readDocument(raw: unknown): { document: PolicyDocument; rawStatements: Json[] } {
  if (!isObject(raw)) throw syntax('the document is not a JSON object');
  for (const key of Object.keys(raw)) if (!TOP_LEVEL.has(key)) throw syntax(`unknown element "${key}"`);
  const { Version, Id, Statement } = raw;
  if (Version !== undefined && Version !== '2012-10-17' && Version !== '2008-10-17') {
    throw syntax(`Version must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(Version)}`);
  }
  if (Id !== undefined && typeof Id !== 'string') throw syntax('Id must be a string');
  if (Statement === undefined) throw syntax('Statement is missing');
  const rawStatements = isObject(Statement) ? [Statement] : Array.isArray(Statement) ? Statement : undefined;
  if (!rawStatements) throw syntax('Statement must be an object or an array of objects');
  if (rawStatements.length === 0) throw syntax('Statement is empty');

  const statements = rawStatements.map((s: unknown, i) => readStatement(s, i));
  const document: PolicyDocument = { Statement: statements };
  if (Version !== undefined) document.Version = Version;
  if (Id !== undefined) document.Id = Id;
  return { document, rawStatements: rawStatements as Json[] };
}

function readStatement(raw: unknown, index: number): Statement {
  if (!isObject(raw)) throw syntax(`${at(index)} is not an object`);
  for (const key of Object.keys(raw)) if (!STATEMENT_ELEMENTS.has(key)) throw syntax(`${at(index)}: unknown element "${key}"`);
  if ('Action' in raw && 'NotAction' in raw) throw syntax(`${at(index)} has both Action and NotAction`);
  if ('Resource' in raw && 'NotResource' in raw) throw syntax(`${at(index)} has both Resource and NotResource`);
  const { Sid, Effect } = raw;
  // Case is checked later, in the legacy phase, where AWS checks it.
  if (typeof Effect !== 'string' || !/^(allow|deny)$/i.test(Effect)) {
    throw syntax(`${at(index)}: Effect must be "Allow" or "Deny", not ${JSON.stringify(Effect)}`);
  }
  if (Sid !== undefined && typeof Sid !== 'string') throw syntax(`${at(index)}: Sid must be a string`);

  const statement: Statement = { Effect: Effect as Statement['Effect'] };
  if (Sid !== undefined) statement.Sid = Sid;
  for (const element of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    const value = raw[element];
    if (value === undefined) continue;
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
      throw syntax(`${at(index)}: ${element} must be a string or an array of strings`);
    }
    statement[element] = [...list];
  }
  if (raw.Condition !== undefined) statement.Condition = readCondition(raw.Condition, index);
  if (raw.Principal !== undefined) statement.Principal = readPrincipals(raw.Principal, index);
  if (raw.NotPrincipal !== undefined) statement.NotPrincipal = readPrincipals(raw.NotPrincipal, index);
  return statement;
}

function readPrincipals(raw: unknown, index: number): Principals {
  if (raw === '*') return { AWS: ['*'] };
  if (!isObject(raw)) throw syntax(`${at(index)}: Principal must be "*" or an object`);
  const principals: Principals = {};
  for (const [type, value] of Object.entries(raw)) {
    if (!PRINCIPAL_TYPES.has(type)) throw syntax(`${at(index)}: unknown principal type "${type}"`);
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
      throw syntax(`${at(index)}: principals of type ${type} must be a string or an array of strings`);
    }
    principals[type as PrincipalType] = [...list];
  }
  return principals;
}

function readCondition(raw: unknown, index: number): NonNullable<Statement['Condition']> {
  if (!isObject(raw)) throw syntax(`${at(index)}: Condition must be an object`);
  const condition: NonNullable<Statement['Condition']> = {};
  for (const [operator, keys] of Object.entries(raw)) {
    if (!isObject(keys)) throw syntax(`${at(index)}: Condition operator ${operator} must map keys to values`);
    // AWS lets an unknown operator through only when it names no keys.
    if (!parseOperator(operator) && Object.keys(keys).length > 0) {
      throw syntax(`${at(index)}: unknown condition operator "${operator}"`);
    }
    condition[operator] = {};
    for (const [key, value] of Object.entries(keys)) {
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
        throw syntax(`${at(index)}: values of ${operator} ${key} must be strings, numbers or booleans`);
      }
      condition[operator][key] = values.map(String);
    }
  }
  return condition;
}

/** What IAM's older parser refuses: a mis-cased Effect, an unreadable date, an ARN with missing segments. */
function checkLegacyParsing(statements: readonly Statement[]): void {
  const legacy = (detail: string) => malformed(MESSAGES.legacy, detail);
  statements.forEach((s, i) => {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw legacy(`${at(i)}: Effect must be written "Allow" or "Deny"`);
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      if (!parseOperator(operator)?.base.startsWith('Date')) continue;
      for (const value of Object.values(keys).flat()) {
        if (parseConditionDate(value) === undefined) throw legacy(`${at(i)}: ${value} is not an ISO 8601 date or epoch time`);
      }
    }
  });
  // AWS stops applying the legacy resource check once a resource has failed its format check.
  for (const s of statements) {
    for (const resource of [...(s.Resource ?? []), ...(s.NotResource ?? [])]) {
      if (resourceFormatError(resource)) return;
      if (failsLegacyParsing(resource)) throw legacy(`resource ${resource} has too few ARN segments`);
    }
  }
}

function checkSids(statements: readonly Statement[]): void {
  const seen = new Set<string>();
  for (const { Sid } of statements) {
    if (!Sid) continue;
    if (seen.has(Sid)) throw malformed(MESSAGES.duplicateSid, `Sid "${Sid}" is used twice`);
    seen.add(Sid);
  }
}

function checkAction(action: string): void {
  const parts = action.split(':');
  if (parts.length === 1 && action !== '*') throw malformed(MESSAGES.noVendor, `action "${action}" has no service prefix`);
  if (parts.length > 2) throw malformed(MESSAGES.oneColon, `action "${action}" has more than one colon`);
  const vendor = parts[0]!;
  if (parts.length === 2 && /[*?]/.test(vendor)) throw malformed(MESSAGES.vendorWildcard, `action "${action}"`);
  if (parts.length === 2 && /[^a-zA-Z0-9.-]/.test(vendor)) throw malformed(MESSAGES.badVendor(vendor));
}
