/**
 * Every failure the domain reports is an IamError with AWS's error code, the HTTP status AWS uses
 * for it and whether the caller (Sender) or the service (Receiver) is at fault. The protocol layer
 * turns it into the Query protocol's ErrorResponse; nothing else needs to know the wire format.
 *
 * Statuses for the modelled codes come from the IAM service model; a unit test checks this table
 * against the model so the two cannot drift apart.
 */
export const ERROR_STATUS = {
  // Modelled IAM exceptions.
  DeleteConflict: 409,
  DuplicateCertificate: 409,
  DuplicateSSHPublicKey: 400,
  EntityAlreadyExists: 409,
  EntityTemporarilyUnmodifiable: 409,
  InvalidAuthenticationCode: 403,
  InvalidInput: 400,
  InvalidPublicKey: 400,
  InvalidUserType: 400,
  KeyPairMismatch: 400,
  LimitExceeded: 409,
  MalformedCertificate: 400,
  MalformedPolicyDocument: 400,
  NoSuchEntity: 404,
  FeatureDisabled: 404,
  FeatureEnabled: 409,
  // Modelled without an error trait: the code is the shape name, the status 400 (the protocol's default).
  OrganizationNotFoundException: 400,
  PasswordPolicyViolation: 400,
  ReportExpired: 410,
  ReportNotPresent: 410,
  ServiceFailure: 500,
  UnmodifiableEntity: 400,
  UnrecognizedPublicKeyEncoding: 400,
  // Modelled STS exceptions (src/protocol/model/sts.json).
  PackedPolicyTooLarge: 400,
  InvalidIdentityToken: 400,
  ExpiredTokenException: 400,
  IDPCommunicationError: 400,
  IDPRejectedClaim: 403,
  // STS's answer to bad tag parameters (recorded; not in the model).
  InvalidParameterValue: 400,
  RegionDisabledException: 403,
  InvalidAuthorizationMessageException: 400,
  OutboundWebIdentityFederationDisabledException: 403,
  SessionDurationEscalationException: 403,
  ExpiredTradeInTokenException: 400,
  // Temporary credentials past their expiry, on any service (AWS sends this code, not the STS
  // model's ExpiredTokenException, for a request signed with them), with 403 on IAM and STS alike
  // (as quoted in pulumi/pulumi-aws#2560 for STS, cfn-sphere/cfn-sphere#55 for IAM).
  ExpiredToken: 403,
  // Common errors of every AWS Query service (not in the service model).
  AccessDenied: 403,
  IncompleteSignature: 400,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  MalformedQueryString: 400,
  MissingAuthenticationToken: 403,
  RequestEntityTooLarge: 413,
  SignatureDoesNotMatch: 403,
  /** Too many password hashes in flight (the bounded hashing queue is full); AWS's code and message, "Rate exceeded". */
  // AWS's Query services answer throttling with 400 and this code; SDKs retry it by its code.
  Throttling: 400,
  ValidationError: 400,
} as const;

export type IamErrorCode = keyof typeof ERROR_STATUS;

export class IamError extends Error {
  readonly code: IamErrorCode;
  readonly status: number;

  constructor(code: IamErrorCode, message: string) {
    // An IamError is an answer to the caller, not a defect: its stack is never read, and capturing
    // one made each refusal's error cost 2.15 instead of 0.33 µs.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'IamError';
    this.code = code;
    this.status = ERROR_STATUS[code];
  }

  /** AWS marks 5xx errors as the service's fault, everything else as the caller's. */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

// The messages below are AWS's own wording, as returned by IAM.
export const errors = {
  noSuchUser: (userName: string) => new IamError('NoSuchEntity', `The user with name ${userName} cannot be found.`),
  noSuchGroup: (name: string) => new IamError('NoSuchEntity', `The group with name ${name} cannot be found.`),
  noSuchRole: (name: string) => new IamError('NoSuchEntity', `The role with name ${name} cannot be found.`),
  /** The user, group or role of that name: AWS's message for each. */
  noSuchPrincipal: (kind: 'user' | 'group' | 'role', name: string) =>
    new IamError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`),
  noSuchLoginProfile: (userName: string) =>
    new IamError('NoSuchEntity', `Login Profile for User ${userName} cannot be found.`),
  noSuchAccessKey: (accessKeyId: string) =>
    new IamError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`),
  userExists: (userName: string) => new IamError('EntityAlreadyExists', `User with name ${userName} already exists.`),
  loginProfileExists: (userName: string) =>
    new IamError('EntityAlreadyExists', `Login Profile for user ${userName} already exists.`),
  accessKeyQuota: () => new IamError('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2'),
  tagQuota: () => new IamError('LimitExceeded', 'Cannot exceed quota for TagsPerUser: 50'),
  deleteConflict: (
    what: 'login profile' | 'access keys' | 'certificates' | 'referenced objects' | 'MFA device' | 'policies' | 'attached policies' | 'groups',
  ) =>
    new IamError(
      'DeleteConflict',
      {
        'login profile': 'Cannot delete entity, must delete login profile first.',
        'access keys': 'Cannot delete entity, must delete access keys first.',
        certificates: 'Cannot delete entity, must delete certificates first.',
        // What AWS says for SSH public keys and service-specific credentials alike.
        'referenced objects': 'Cannot delete entity, must remove referenced objects first.',
        // AWS says "delete" although deactivating the device is what it takes.
        'MFA device': 'Cannot delete entity, must delete MFA device first.',
        policies: 'Cannot delete entity, must delete policies first.',
        'attached policies': 'Cannot delete entity, must detach all policies first.',
        groups: 'Cannot delete entity, must remove user from all groups first.',
      }[what],
    ),
  userNameRequired: () =>
    new IamError('ValidationError', 'Must specify userName when calling with non-User credentials'),
  /**
   * `unevaluable`: iamd's own case, policies that exceed the evaluation work budget (they allow
   * nothing). `resource` is the resource as AWS's denials name it: an ARN, `*`, or for most IAM
   * actions on a named entity "user NAME", "role NAME", "policy <ARN>"… (operation.ts,
   * Resource.denialName). None for an action AWS authorizes on no resource, whose denial names
   * none (as AWS words sts:DecodeAuthorizationMessage's).
   */
  accessDenied: (principalArn: string, action: string, resource: string | undefined, reason: DenialReason) =>
    new IamError(
      'AccessDenied',
      `User: ${principalArn} is not authorized to perform: ${action}${resource === undefined ? '' : ` on resource: ${resource}`} ${denialClause(action, reason)}`,
    ),
} as const;

/**
 * A model violation in AWS's words: "2 validation errors detected: Value at 'userName' failed to
 * satisfy constraint: …; …". The protocol's input reader and the domain's own checks of model
 * constraints (the console's passwords, which reach no reader) word them alike.
 */
export function validationError(violations: readonly string[]): IamError {
  const n = violations.length;
  return new IamError('ValidationError', `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`);
}

/** Why a request was denied, for AccessDenied's closing clause (domain/authorization.ts decides which). */
export type DenialReason = 'implicit' | 'explicit' | 'unevaluable' | 'session-implicit' | 'session-explicit' | 'boundary-implicit' | 'boundary-explicit';

/** AWS's clauses ("Troubleshooting access denied error messages"); `unevaluable` is iamd's own. */
function denialClause(action: string, reason: DenialReason): string {
  switch (reason) {
    case 'explicit':
      return 'with an explicit deny in an identity-based policy';
    case 'boundary-explicit':
      return 'with an explicit deny in a permissions boundary';
    case 'session-explicit':
      return 'with an explicit deny in a session policy';
    case 'implicit':
      return `because no identity-based policy allows the ${action} action`;
    case 'boundary-implicit':
      return `because no permissions boundary allows the ${action} action`;
    case 'session-implicit':
      return `because no session policy allows the ${action} action`;
    case 'unevaluable':
      return 'because its identity-based policies exceed the evaluation limit of this server';
  }
}
