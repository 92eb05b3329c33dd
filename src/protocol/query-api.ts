import { randomUUID } from 'node:crypto';
import type { AccessKey, Caller, Tag } from '../domain/entities.js';
import type { Domain } from '../domain/context.js';
import { callerArn } from '../domain/context.js';
import type { Authorizer, RequestFacts } from '../domain/authorization.js';
import { IamError } from '../domain/errors.js';
import { MalformedPolicyDocumentError } from '../domain/policy/malformed.js';
import { OPERATIONS } from './operations.js';
import type { Operation } from './operation.js';
import { IAM_MODEL, STS_MODEL, type ServiceModel } from './query/model.js';
import { STS_OPERATIONS } from './sts-operations.js';
import { checkPatternMessages, readInput } from './query/read-input.js';
import { writeError, writeOutput } from './query/write-output.js';
import { verifySigV4 } from './sigv4/verify.js';
import { readParameters } from './query/parameters.js';
import { KeyUsageRecorder } from './key-usage.js';
import { secretForSigning } from '../domain/secrets.js';
import { openToken, type TokenClaims } from '../domain/session-token.js';
import { sessionCaller } from '../domain/sessions.js';
import { stsErrors } from '../domain/sts.js';
import { assumeRoleWithWebIdentity, type WebIdentityInput } from '../domain/web-identity.js';
import { assumeRoleWithSaml, type SamlInput } from '../domain/saml-assume-role.js';

/**
 * STS actions AWS serves unsigned: the request carries its own credential (a web identity token, a
 * SAML response). Each handler also says who the verified bearer is, for the audit trail.
 */
type UnsignedHandler = (domain: Domain, input: Record<string, unknown>, facts: RequestFacts & { region: string }) => Promise<Record<string, unknown>>;
export const UNSIGNED_STS_ACTIONS: ReadonlyMap<string, { handler: UnsignedHandler; type?: WebIdentityCaller['type']; bearer: (output: Record<string, unknown>) => NonNullable<WebIdentityCaller['verified']> }> = new Map([
  [
    'AssumeRoleWithWebIdentity',
    {
      handler: (domain, input, facts) => assumeRoleWithWebIdentity(domain, input as unknown as WebIdentityInput, facts),
      bearer: (output) => ({ providerArn: output.Provider as string, audience: output.Audience as string, subject: (output.SubjectFromWebIdentityToken as string | undefined) ?? '' }),
    },
  ],
  [
    'AssumeRoleWithSAML',
    {
      handler: (domain, input, facts) => assumeRoleWithSaml(domain, input as unknown as SamlInput, facts),
      type: 'SAMLUser',
      bearer: (output) => ({ providerArn: output.NameQualifier as string, audience: output.Audience as string, subject: (output.Subject as string | undefined) ?? '' }),
    },
  ],
]);
import { withRequestCache } from '../domain/request-cache.js';
import { apiCallEvent, isReadOnlyAction, type AuditSink, type WebIdentityCaller } from './audit.js';

/**
 * GetSessionToken's credentials call no IAM operation unless they were obtained with MFA (AWS's
 * GetSessionToken reference). AWS's wording of this denial is not recorded: the sentence is guessed.
 */
const noIamWithoutMfa = (caller: Caller, action: string, resource: string) =>
  new IamError('AccessDenied', `User: ${callerArn(caller)} is not authorized to perform: ${action} on resource: ${resource} because no MFA authentication information was included when the session was requested`);

/**
 * What GetSessionToken's credentials may call in STS: AssumeRole and GetCallerIdentity (AWS's
 * GetSessionToken reference: "You cannot call any STS API except AssumeRole or
 * GetCallerIdentity"), and GetSessionToken and GetFederationToken, whose handlers refuse every
 * session with their own sentence.
 */
const SESSION_TOKEN_STS_ACTIONS: ReadonlySet<string> = new Set(['AssumeRole', 'GetCallerIdentity', 'GetSessionToken', 'GetFederationToken']);

export interface QueryRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The client's address and whether it came over TLS, for aws:SourceIp / aws:SecureTransport. */
  sourceIp?: string;
  secureTransport?: boolean;
}

export interface QueryResponse {
  status: number;
  requestId: string;
  body: string;
  /** For the access log: what was asked and by whom. Never parameters. */
  action?: string;
  principal?: string;
  errorCode?: string;
  /** What exactly was wrong where AWS's message is generic ("Syntax errors in policy."): for the log only. */
  errorDetail?: string;
}

/**
 * The AWS Query protocol endpoint, as a function from request to response (no sockets here, so it
 * can be driven in-process too). Each request goes through the same steps:
 * parameters → SigV4 → caller → action → input (model-validated) → authorization → domain → XML.
 */
export class QueryApi {
  private readonly keyUsage: KeyUsageRecorder;

  constructor(
    private readonly domain: Domain,
    private readonly authorizer: Authorizer,
    /** The audit trail (IAMD_AUDIT_LOG): one event per mutating IAM call, success or failure. */
    private readonly audit?: AuditSink,
  ) {
    this.keyUsage = new KeyUsageRecorder(domain);
  }

  async handle(req: QueryRequest): Promise<QueryResponse> {
    const requestId = randomUUID();
    let action: string | undefined;
    let caller: Caller | undefined;
    let model = IAM_MODEL;
    let region = 'us-east-1';
    let input: Record<string, unknown> | undefined;
    // Each entity the request needs is read once, however many steps ask for it.
    const domain = withRequestCache(this.domain);
    try {
      const params = await readParameters(req);
      const unsigned = UNSIGNED_STS_ACTIONS.get(params.get('Action') ?? '');
      if (unsigned) {
        // The token in the request is the credential (as in AWS, where these calls are unsigned;
        // a signature, if any, is not looked at). STS's model and its own handler.
        action = params.get('Action')!;
        model = STS_MODEL;
        const bearer: WebIdentityCaller = { kind: 'web-identity', accountId: this.domain.accountId, ...(unsigned.type ? { type: unsigned.type } : {}) };
        let output: Record<string, unknown>;
        try {
          input = await readInput(STS_MODEL, STS_MODEL.operations[action]!.input?.shape, params);
          const facts = { sourceIp: req.sourceIp, secureTransport: req.secureTransport ?? false, region };
          output = await unsigned.handler(domain, input, facts);
        } catch (e) {
          if (e instanceof IamError) this.recordAudit(req, requestId, action, bearer, region, input, { error: { code: e.code, message: e.message } }, STS_MODEL);
          throw e;
        }
        bearer.verified = unsigned.bearer(output);
        this.recordAudit(req, requestId, action, bearer, region, input, { output }, STS_MODEL);
        return { status: 200, requestId, body: writeOutput(STS_MODEL, action, output, requestId), action, principal: (output.AssumedRoleUser as { Arn: string }).Arn };
      }
      const authenticated = await this.authenticate(domain, req);
      caller = authenticated.caller;
      region = authenticated.region;
      action = params.get('Action');
      const host = req.headers.host;
      const facts = { sourceIp: req.sourceIp, secureTransport: req.secureTransport ?? false, host: Array.isArray(host) ? host[0] : host, region };
      if (authenticated.service === 'sts') {
        // STS on the same endpoint, told apart by the signature's service, with its own model and table.
        model = STS_MODEL;
        const operation = action === undefined || !Object.hasOwn(STS_OPERATIONS, action) ? undefined : STS_OPERATIONS[action];
        if (action === undefined || operation === undefined) {
          throw new IamError('InvalidAction', `Could not find operation ${action ?? ''} for version ${STS_MODEL.metadata.apiVersion}`);
        }
        if (caller.kind === 'federated-user' && action !== 'GetCallerIdentity') throw stsErrors.federatedMayNotCall(callerArn(caller), `sts:${action}`);
        if (caller.kind !== 'assumed-role' && caller.session && !SESSION_TOKEN_STS_ACTIONS.has(action)) throw stsErrors.sessionTokenMayNotCall(callerArn(caller), `sts:${action}`);
        input = await readInput(STS_MODEL, STS_MODEL.operations[action]!.input?.shape, params);
        // facts as they are: a spread adding `region` cost ~0.8 µs (Node 20's V8 adds a property to a spread copy slowly; 22 does not).
        const output = await operation.handler(domain, caller, input, facts);
        this.recordAudit(req, requestId, action, caller, region, input, { output }, STS_MODEL);
        return { status: 200, requestId, body: writeOutput(STS_MODEL, action, output, requestId), action, principal: callerArn(caller) };
      }
      const output = await this.perform(domain, caller, action, params, facts, (read) => {
        input = read;
      });
      this.recordAudit(req, requestId, action!, caller, region, input, { output });
      return {
        status: 200,
        requestId,
        body: writeOutput(IAM_MODEL, action!, output ?? undefined, requestId),
        action,
        principal: callerArn(caller),
      };
    } catch (e) {
      const error = e instanceof IamError ? e : new IamError('ServiceFailure', 'Request processing has failed due to an internal error.');
      if (!(e instanceof IamError)) {
        // Log the failure, never the request: parameters may hold a password.
        domain.log.error('request failed', { requestId, action, error: e instanceof Error ? e.stack : String(e) });
      }
      if (caller && action !== undefined && Object.hasOwn(model === IAM_MODEL ? OPERATIONS : STS_OPERATIONS, action)) {
        this.recordAudit(req, requestId, action, caller, region, input, { error: { code: error.code, message: error.message } }, model);
      }
      return {
        status: error.status,
        requestId,
        body: writeError(model, error.type, error.code, error.message, requestId),
        action,
        principal: caller && callerArn(caller),
        errorCode: error.code,
        ...(error instanceof MalformedPolicyDocumentError && error.detail !== error.message ? { errorDetail: error.detail } : {}),
      };
    }
  }

  /**
   * The steps every IAM operation takes after authentication, whoever asks (a signed request or
   * the console): the action, the input (model-validated, AWS's pattern sentences first), the
   * resource, authorization, the domain. `onInput` hears the validated input (for the audit trail).
   */
  private async perform(
    domain: Domain,
    caller: Caller,
    action: string | undefined,
    params: ReadonlyMap<string, string>,
    facts: { sourceIp?: string; secureTransport: boolean; host?: string },
    onInput: (input: Record<string, unknown>) => void,
  ): Promise<Record<string, unknown> | void> {
    // The table is typed per operation; here any name may arrive. read-input validates the input
    // against the same model the types were generated from, so `unknown` is safe to pass on.
    const operation = action === undefined ? undefined : (OPERATIONS as Readonly<Record<string, Operation<unknown>>>)[action];
    if (action === undefined || operation === undefined || !Object.hasOwn(OPERATIONS, action)) {
      throw new IamError('InvalidAction', `Could not find operation ${action ?? ''} for version ${IAM_MODEL.metadata.apiVersion}`);
    }
    const inputShape = IAM_MODEL.operations[action]!.input?.shape;
    if (operation.patternMessages) checkPatternMessages(IAM_MODEL, inputShape, params, operation.patternMessages);
    const input = await readInput(IAM_MODEL, inputShape, params);
    onInput(input);
    const resource = await operation.resource(domain, caller, input);
    // Temporary credentials that AWS keeps out of IAM altogether, whatever their policies say.
    if (caller.kind === 'federated-user') throw stsErrors.federatedMayNotCall(callerArn(caller), operation.action);
    if (caller.kind !== 'assumed-role' && caller.session && !caller.session.mfaAuthenticatedAt) throw noIamWithoutMfa(caller, operation.action, resource.denialName ?? resource.arn);
    await this.authorizer.authorize(
      caller,
      { action: operation.action, resourceArn: resource.arn, resourceTags: resource.tags, denialName: resource.denialName },
      // Spelt out, not spread from `facts`: on Node 20 a spread adding a member costs ~0.8 µs, most of this function's own time.
      { sourceIp: facts.sourceIp, secureTransport: facts.secureTransport, requestTags: Array.isArray(input.Tags) ? (input.Tags as Tag[]) : undefined },
    );
    return operation.handler(domain, caller, input, { host: facts.host, secureTransport: facts.secureTransport });
  }

  /**
   * One IAM operation for a caller authenticated otherwise (the console's session): the same
   * validation, authorization, domain and audit trail as a signed request; the output as the
   * handler gives it (not XML). Throws the IamError the API would answer with.
   */
  async invoke(
    caller: Caller,
    action: string,
    parameters: Record<string, string>,
    request: { sourceIp?: string; secureTransport: boolean; userAgent?: string },
  ): Promise<Record<string, unknown> | undefined> {
    const requestId = randomUUID();
    const domain = withRequestCache(this.domain);
    let input: Record<string, unknown> | undefined;
    const auditFacts = { sourceIp: request.sourceIp, headers: { 'user-agent': request.userAgent } };
    try {
      const output = await this.perform(domain, caller, action, new Map(Object.entries(parameters)), request, (read) => {
        input = read;
      });
      this.recordAudit(auditFacts, requestId, action, caller, 'us-east-1', input, { output });
      return output ?? undefined;
    } catch (e) {
      if (e instanceof IamError && Object.hasOwn(OPERATIONS, action)) {
        this.recordAudit(auditFacts, requestId, action, caller, 'us-east-1', input, { error: { code: e.code, message: e.message } });
      }
      throw e;
    }
  }

  /** One audit event for a mutating IAM call (read-only calls are not audited, as CloudTrail's management-write trail). */
  private recordAudit(
    req: Pick<QueryRequest, 'sourceIp' | 'headers'>,
    requestId: string,
    action: string,
    caller: Caller | WebIdentityCaller,
    region: string,
    input: Record<string, unknown> | undefined,
    result: { output?: unknown; error?: { code: string; message: string } },
    model: ServiceModel = IAM_MODEL,
  ): void {
    if (!this.audit || isReadOnlyAction(action)) return;
    const userAgent = req.headers['user-agent'];
    try {
      this.audit.write(
        apiCallEvent({
          model,
          action,
          caller,
          region,
          sourceIp: req.sourceIp,
          userAgent: Array.isArray(userAgent) ? userAgent.join(' ') : userAgent,
          requestId,
          input,
          ...result,
        }),
      );
    } catch (e) {
      // The change is made; a full disk must not turn its answer into a failure. Loudly logged.
      this.domain.log.error('writing the audit trail failed', { requestId, action, error: String(e) });
    }
  }

  /**
   * Verifies the signature and finds who signed: the root user or an IAM user with a long-term key,
   * or temporary credentials (an ASIA key id and its session token, see session-token.ts).
   */
  private async authenticate(domain: Domain, req: QueryRequest): Promise<{ caller: Caller; service: string; region: string }> {
    let key: AccessKey | undefined;
    let claims: TokenClaims | undefined;
    const verdict = await verifySigV4(req, {
      now: new Date(),
      services: ['iam', 'sts'],
      lookupSecret: async (accessKeyId, securityToken) => {
        if (accessKeyId.startsWith('ASIA')) {
          if (securityToken === undefined) return undefined;
          claims = await openToken(domain, securityToken);
          return claims?.accessKeyId === accessKeyId && claims.accountId === this.domain.accountId ? claims.secretAccessKey : undefined;
        }
        // A long-term key comes without a session token; with one it is refused, as AWS does.
        if (securityToken !== undefined) return undefined;
        key = await domain.store.accessKeys.get(accessKeyId);
        return key?.status === 'Active' ? secretForSigning(domain, key) : undefined;
      },
    });
    if (!verdict.ok) throw new IamError(verdict.code, verdict.message);
    const { service, region } = verdict;
    if (claims) return { service, region, caller: await sessionCaller(domain, claims) };
    const signingKey = key!;
    this.keyUsage.record(signingKey, verdict.region, verdict.service);
    if (signingKey.userId === null) return { service, region, caller: { kind: 'root', accountId: this.domain.accountId, accessKeyId: signingKey.id } };
    const user = await domain.store.users.getById(signingKey.userId);
    if (!user) throw new IamError('InvalidClientTokenId', 'The security token included in the request is invalid.');
    return { service, region, caller: { kind: 'user', accountId: this.domain.accountId, accessKeyId: signingKey.id, user } };
  }
}
