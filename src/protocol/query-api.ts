import { randomUUID } from 'node:crypto';
import type { Caller, Tag } from '../domain/entities.js';
import type { Domain } from '../domain/context.js';
import { callerArn } from '../domain/context.js';
import type { Authorizer } from '../domain/authorization.js';
import { IamError } from '../domain/errors.js';
import { OPERATIONS } from './operations.js';
import type { Operation } from './operation.js';
import { IAM_MODEL, STS_MODEL } from './query/model.js';
import { checkPatternMessages, readInput } from './query/read-input.js';
import { writeError, writeOutput } from './query/write-output.js';
import { verifySigV4 } from './sigv4/verify.js';
import { readParameters } from './query/parameters.js';
import { KeyUsageRecorder } from './key-usage.js';
import { secretForSigning } from '../domain/secrets.js';
import { withRequestCache } from '../domain/request-cache.js';
import { apiCallEvent, isReadOnlyAction, type AuditSink } from './audit.js';

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
      const authenticated = await this.authenticate(domain, req);
      caller = authenticated.caller;
      region = authenticated.region;
      action = params.get('Action');
      if (authenticated.service === 'sts') {
        model = STS_MODEL;
        return { ...this.sts(action, caller, requestId), action, principal: callerArn(caller) };
      }
      // The table is typed per operation; here any name may arrive. read-input validates the input
      // against the same model the types were generated from, so `unknown` is safe to pass on.
      const operation = action === undefined ? undefined : (OPERATIONS as Readonly<Record<string, Operation<unknown>>>)[action];
      if (action === undefined || operation === undefined || !Object.hasOwn(OPERATIONS, action)) {
        throw new IamError('InvalidAction', `Could not find operation ${action ?? ''} for version ${IAM_MODEL.metadata.apiVersion}`);
      }
      const inputShape = IAM_MODEL.operations[action]!.input?.shape;
      if (operation.patternMessages) checkPatternMessages(IAM_MODEL, inputShape, params, operation.patternMessages);
      input = readInput(IAM_MODEL, inputShape, params);
      const resource = await operation.resource(domain, caller, input);
      await this.authorizer.authorize(
        caller,
        { action: operation.action, resourceArn: resource.arn, resourceTags: resource.tags },
        {
          sourceIp: req.sourceIp,
          secureTransport: req.secureTransport ?? false,
          requestTags: Array.isArray(input.Tags) ? (input.Tags as Tag[]) : undefined,
        },
      );
      const output = await operation.handler(domain, caller, input);
      this.recordAudit(req, requestId, action, caller, region, input, { output });
      return {
        status: 200,
        requestId,
        body: writeOutput(IAM_MODEL, action, output ?? undefined, requestId),
        action,
        principal: callerArn(caller),
      };
    } catch (e) {
      const error = e instanceof IamError ? e : new IamError('ServiceFailure', 'Request processing has failed due to an internal error.');
      if (!(e instanceof IamError)) {
        // Log the failure, never the request: parameters may hold a password.
        domain.log.error('request failed', { requestId, action, error: e instanceof Error ? e.stack : String(e) });
      }
      if (caller && action !== undefined && model === IAM_MODEL && Object.hasOwn(OPERATIONS, action)) {
        this.recordAudit(req, requestId, action, caller, region, input, { error: { code: error.code, message: error.message } });
      }
      return {
        status: error.status,
        requestId,
        body: writeError(model, error.type, error.code, error.message, requestId),
        action,
        principal: caller && callerArn(caller),
        errorCode: error.code,
      };
    }
  }

  /**
   * STS on the same endpoint, told apart by the signature's service: GetCallerIdentity, which
   * every authenticated caller may call.
   */
  private sts(action: string | undefined, caller: Caller, requestId: string): { status: number; requestId: string; body: string } {
    if (action !== 'GetCallerIdentity') {
      throw new IamError('InvalidAction', `Could not find operation ${action ?? ''} for version ${STS_MODEL.metadata.apiVersion}`);
    }
    const output = {
      UserId: caller.kind === 'root' ? caller.accountId : caller.user.id,
      Account: caller.accountId,
      Arn: callerArn(caller),
    };
    return { status: 200, requestId, body: writeOutput(STS_MODEL, action, output, requestId) };
  }

  /** One audit event for a mutating IAM call (read-only calls are not audited, as CloudTrail's management-write trail). */
  private recordAudit(
    req: QueryRequest,
    requestId: string,
    action: string,
    caller: Caller,
    region: string,
    input: Record<string, unknown> | undefined,
    result: { output?: unknown; error?: { code: string; message: string } },
  ): void {
    if (!this.audit || isReadOnlyAction(action)) return;
    const userAgent = req.headers['user-agent'];
    try {
      this.audit.write(
        apiCallEvent({
          model: IAM_MODEL,
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

  /** Verifies the signature and finds who signed: the root user or an IAM user. */
  private async authenticate(domain: Domain, req: QueryRequest): Promise<{ caller: Caller; service: string; region: string }> {
    let key;
    const verdict = await verifySigV4(req, {
      now: new Date(),
      services: ['iam', 'sts'],
      lookupSecret: async (accessKeyId) => {
        key = await domain.store.accessKeys.get(accessKeyId);
        return key?.status === 'Active' ? secretForSigning(domain, key) : undefined;
      },
    });
    if (!verdict.ok) throw new IamError(verdict.code, verdict.message);
    const signingKey = key!;
    this.keyUsage.record(signingKey, verdict.region, verdict.service);
    const { service, region } = verdict;
    if (signingKey.userId === null) return { service, region, caller: { kind: 'root', accountId: this.domain.accountId, accessKeyId: signingKey.id } };
    const user = await domain.store.users.getById(signingKey.userId);
    if (!user) throw new IamError('InvalidClientTokenId', 'The security token included in the request is invalid.');
    return { service, region, caller: { kind: 'user', accountId: this.domain.accountId, accessKeyId: signingKey.id, user } };
  }
}
