import { IamError } from '../errors.js';

/**
 * IAM's MalformedPolicyDocument messages. Every one of these is AWS's own wording, as collected in
 * the AWS-verified policy-validation suites of moto (tests/test_iam/test_iam_policies.py) and
 * LocalStack (services/iam/policy_validation.py), and quoted in Terraform, CDK, kops and
 * CloudFormation issues. The one exception is marked.
 *
 * AWS answers many different faults with the same generic text ("Syntax errors in policy.", "The
 * policy failed legacy parsing"); iamd returns that same text so clients see what AWS would send,
 * and says precisely what is wrong in `detail` (our wording) for logs and tests.
 */
export const MESSAGES = {
  syntax: 'Syntax errors in policy.',
  version: 'Policy document must be version 2012-10-17 or greater.',
  legacy: 'The policy failed legacy parsing',
  principal: 'Policy document should not specify a principal.',
  // Trust policies (a role's AssumeRolePolicyDocument).
  // Recorded from AWS (CreateRole): the Java exception's name is part of AWS's text.
  missingPrincipal:
    'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
  trustNotJson: 'This policy contains invalid Json',
  prohibitedResource: 'Has prohibited field Resource',
  assumeRoleActions: 'AssumeRole policy may only specify STS AssumeRole actions.',
  invalidPrincipal: (type: string, value: string) => `Invalid principal in policy: "${type}":"${value}"`,
  duplicateSid: 'Statement IDs (SID) in a single policy must be unique.',
  noActions: 'Policy statement must contain actions.',
  noResources: 'Policy statement must contain resources.',
  noVendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
  badVendor: (vendor: string) => `Vendor ${vendor} is not valid`,
  // Quoted only in a third-party report (boogy/iam-policy-validator#172), not in moto or LocalStack.
  vendorWildcard: 'Action vendors (e.g., aws, ec2, etc.) must not contain wildcards',
  notArn: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  badPartition: (partition: string, arn: string) => `Partition "${partition}" is not valid for resource "${arn}".`,
  vendorNotQualified: 'Resource vendor must be fully qualified and cannot contain regexes.',
  iamRegion: (resource: string) => `IAM resource ${resource} cannot contain region information.`,
  s3Region: (resource: string) => `Resource ${resource} can not contain region information.`,
  iamPath:
    'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, ' +
    'instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.',
} as const;

/** A MalformedPolicyDocument whose message is AWS's and whose detail says exactly what is wrong. */
export class MalformedPolicyDocumentError extends IamError {
  readonly detail: string;

  constructor(message: string, detail: string = message) {
    super('MalformedPolicyDocument', message);
    this.detail = detail;
  }
}

export const malformed = (message: string, detail?: string): MalformedPolicyDocumentError =>
  new MalformedPolicyDocumentError(message, detail);
