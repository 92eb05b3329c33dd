import { randomUUID } from 'node:crypto';
import type { Caller, Session, User } from '../domain/entities.js';
import { roleArn, rootArn, userArn } from '../domain/arn.js';
import { callerArn, callerUserId } from '../domain/context.js';
import type { ServiceModel, Shape } from './query/model.js';

/**
 * The audit trail: one JSON object per mutating call and per console sign-in, shaped like an AWS
 * CloudTrail record, so tools that read CloudTrail read it too. Passwords, MFA codes and every
 * member the service model marks `sensitive` (secret access keys, MFA seeds and QR codes) appear
 * only as HIDDEN_DUE_TO_SECURITY_REASONS, as in CloudTrail. See docs/audit.md.
 */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** Hidden wherever they appear, whatever the model says. */
const SENSITIVE_MEMBERS = new Set([
  'Password',
  'OldPassword',
  'NewPassword',
  'SecretAccessKey',
  'PrivateKey',
  'AddPrivateKey',
  // MFA: the seed and its QR code (blobs the model marks sensitive), and one-time codes.
  'Base32StringSeed',
  'QRCodePNG',
  'AuthenticationCode1',
  'AuthenticationCode2',
  // STS: the session token of temporary credentials, and GetSessionToken's MFA code.
  'SessionToken',
  'TokenCode',
]);

/** A private key pasted where a public key or certificate belongs (SSHPublicKeyBody, CertificateBody). */
const holdsPrivateKey = (s: string): boolean => /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(s);

export interface AuditEvent {
  eventVersion: string;
  userIdentity: Record<string, unknown>;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  eventType: 'AwsApiCall' | 'AwsConsoleSignIn';
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: 'Management';
}

/** Where audit events go (a file, stdout). Writes are synchronous: an event is out before the answer. */
export interface AuditSink {
  write(event: AuditEvent): void;
}

/**
 * Whether an IAM action changes nothing. The model has no read-only flag; IAM's own naming does:
 * Get*, List*, Simulate* read. Everything else (Generate* included: it builds a report) is audited.
 */
export const isReadOnlyAction = (action: string): boolean => /^(Get|List|Simulate)/.test(action);

const MAX_USER_AGENT = 512;
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function webIdentity(caller: WebIdentityCaller): Record<string, unknown> {
  const v = caller.verified;
  // CloudTrail's SAMLUser: principalId NameQualifier:Subject, identityProvider the NameQualifier.
  if (caller.type === 'SAMLUser') return v ? { type: 'SAMLUser', principalId: `${v.providerArn}:${v.subject}`, userName: v.subject, identityProvider: v.providerArn } : { type: 'SAMLUser' };
  return v
    ? { type: 'WebIdentityUser', principalId: `${v.providerArn}:${v.audience}:${v.subject}`, userName: v.subject, identityProvider: v.providerArn }
    : { type: 'WebIdentityUser' }; // a refused token's claims are not trusted enough to record
}

function identity(caller: Caller): Record<string, unknown> {
  if (caller.kind === 'assumed-role') return assumedRoleIdentity(caller);
  if (caller.kind === 'federated-user') return federatedUserIdentity(caller);
  const base = caller.kind === 'root'
    ? { type: 'Root', principalId: caller.accountId, arn: rootArn(caller.accountId), accountId: caller.accountId }
    : {
        type: 'IAMUser',
        principalId: caller.user.id,
        arn: userArn(caller.accountId, caller.user.path, caller.user.name),
        accountId: caller.accountId,
      };
  return {
    ...base,
    ...(caller.accessKeyId ? { accessKeyId: caller.accessKeyId } : {}),
    ...(caller.kind === 'user' ? { userName: caller.user.name } : {}),
    ...(caller.session ? { sessionContext: { attributes: sessionAttributes(caller.session) } } : {}),
  };
}

const sessionAttributes = (session: Session) => ({
  creationDate: iso(session.issuedAt),
  mfaAuthenticated: String(session.mfaAuthenticatedAt !== undefined),
});

/** CloudTrail's userIdentity of a federated user: type FederatedUser, the IAM user that asked as sessionIssuer. */
function federatedUserIdentity(caller: Caller & { kind: 'federated-user' }): Record<string, unknown> {
  const { issuer } = caller;
  return {
    type: 'FederatedUser',
    principalId: callerUserId(caller),
    arn: callerArn(caller),
    accountId: caller.accountId,
    accessKeyId: caller.accessKeyId,
    sessionContext: {
      sessionIssuer: issuer
        ? { type: 'IAMUser', principalId: issuer.id, arn: userArn(caller.accountId, issuer.path, issuer.name), accountId: caller.accountId, userName: issuer.name }
        : { type: 'Root', principalId: caller.accountId, arn: rootArn(caller.accountId), accountId: caller.accountId },
      attributes: sessionAttributes(caller.session),
    },
  };
}

/** CloudTrail's userIdentity of a role session: type AssumedRole, the role as sessionIssuer. */
function assumedRoleIdentity(caller: Caller & { kind: 'assumed-role' }): Record<string, unknown> {
  const { role, session } = caller;
  return {
    type: 'AssumedRole',
    principalId: callerUserId(caller),
    arn: callerArn(caller),
    accountId: caller.accountId,
    accessKeyId: caller.accessKeyId,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: role.id, arn: roleArn(caller.accountId, role.path, role.name), accountId: caller.accountId, userName: role.name },
      attributes: sessionAttributes(session),
      ...(session.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
    },
  };
}

/**
 * A value as CloudTrail shows it: members in lowerCamelCase, dates as ISO 8601, and sensitive
 * members (by the model's `sensitive` flag on their shape, or by name) hidden.
 */
export function redact(model: ServiceModel, shapeName: string | undefined, value: unknown): unknown {
  const shape: Shape | undefined = shapeName === undefined ? undefined : model.shapes[shapeName];
  if (shape?.sensitive) return HIDDEN;
  if (value instanceof Date) return iso(value);
  if (Buffer.isBuffer(value)) return HIDDEN; // blobs (report contents, seeds) are not audit material
  if (typeof value === 'string' && holdsPrivateKey(value)) return HIDDEN;
  if (Array.isArray(value)) return value.map((v) => redact(model, shape?.member?.shape, v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (shape?.type === 'map') {
        out[k] = redact(model, shape.value?.shape, v);
        continue;
      }
      out[lowerFirst(k)] = SENSITIVE_MEMBERS.has(k) ? HIDDEN : redact(model, shape?.members?.[k]?.shape, v);
    }
    return out;
  }
  return value;
}

/** Who called an unsigned STS operation: the bearer of a web identity token (CloudTrail's WebIdentityUser). */
export interface WebIdentityCaller {
  kind: 'web-identity';
  accountId: string;
  /** Once the token is verified: its provider's ARN, the audience matched and its subject. */
  verified?: { providerArn: string; audience: string; subject: string };
  /** CloudTrail's type for the bearer: SAMLUser for AssumeRoleWithSAML, else WebIdentityUser. */
  type?: 'SAMLUser' | 'WebIdentityUser';
}

export interface ApiCallFacts {
  model: ServiceModel;
  action: string;
  caller: Caller | WebIdentityCaller;
  region: string;
  sourceIp: string | undefined;
  userAgent: string | undefined;
  requestId: string;
  /** The typed input, when it passed validation. */
  input?: Record<string, unknown>;
  output?: unknown;
  error?: { code: string; message: string };
}

export function apiCallEvent(f: ApiCallFacts): AuditEvent {
  const op = f.model.operations[f.action];
  const response = f.error || f.output === undefined || f.output === null ? null : (redact(f.model, op?.output?.shape, f.output) as Record<string, unknown>);
  return {
    eventVersion: '1.08',
    userIdentity: f.caller.kind === 'web-identity' ? webIdentity(f.caller) : identity(f.caller),
    eventTime: iso(new Date()),
    eventSource: `${f.model.metadata.endpointPrefix}.amazonaws.com`,
    eventName: f.action,
    awsRegion: f.region,
    sourceIPAddress: f.sourceIp ?? 'unknown',
    userAgent: (f.userAgent ?? '').slice(0, MAX_USER_AGENT),
    ...(f.error ? { errorCode: f.error.code, errorMessage: f.error.message } : {}),
    requestParameters: f.input === undefined ? null : (redact(f.model, op?.input?.shape, f.input) as Record<string, unknown>),
    responseElements: response,
    requestID: f.requestId,
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: f.caller.accountId,
    eventCategory: 'Management',
  };
}

export interface ConsoleLoginFacts {
  accountId: string;
  /** The user the name was found as; absent for an unknown user or account. */
  user?: User;
  success: boolean;
  /** Why it failed, in words (never the password). */
  reason?: string;
  sourceIp: string | undefined;
  userAgent: string | undefined;
  /** An MFA code was part of the attempt (CloudTrail's MFAUsed). */
  mfaUsed?: boolean;
}

/**
 * A console sign-in, as CloudTrail records one (eventSource signin.amazonaws.com). For an unknown
 * user the typed name is hidden too: people type passwords into the user-name field.
 */
export function consoleLoginEvent(f: ConsoleLoginFacts): AuditEvent {
  const userIdentity: Record<string, string> = f.user
    ? { type: 'IAMUser', principalId: f.user.id, arn: userArn(f.accountId, f.user.path, f.user.name), accountId: f.accountId, userName: f.user.name }
    : { type: 'IAMUser', accountId: f.accountId, accessKeyId: '', userName: HIDDEN };
  return {
    eventVersion: '1.08',
    userIdentity,
    eventTime: iso(new Date()),
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: f.sourceIp ?? 'unknown',
    userAgent: (f.userAgent ?? '').slice(0, MAX_USER_AGENT),
    ...(f.success ? {} : { errorMessage: f.reason ?? 'Failed authentication' }),
    requestParameters: null,
    responseElements: { ConsoleLogin: f.success ? 'Success' : 'Failure' },
    additionalEventData: { LoginTo: '/console/home', MobileVersion: 'No', MFAUsed: f.mfaUsed ? 'Yes' : 'No' },
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: f.accountId,
    eventCategory: 'Management',
  };
}
