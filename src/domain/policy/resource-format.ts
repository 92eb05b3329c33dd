import { MESSAGES } from './malformed.js';

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);
const IAM_RESOURCE_TYPES = [
  'user/',
  'federated-user/',
  'role/',
  'group/',
  'instance-profile/',
  'mfa/',
  'server-certificate/',
  'policy/',
  'sms-mfa/',
  'saml-provider/',
  'oidc-provider/',
  'report/',
  'access-report/',
];

/**
 * IAM's checks of a Resource / NotResource value on write, in AWS's order, with AWS's message for
 * the first that fails (reconstructed from the AWS-verified cases in moto and LocalStack).
 */
// A policy variable may hold a colon (${aws:username}); it is not an ARN separator.
const segmentsOf = (resource: string): string[] =>
  resource
    .replace(/\$\{[^}]*\}/g, (variable) => variable.replaceAll(':', '\0'))
    .split(':')
    .map((segment) => segment.replaceAll('\0', ':'));

export function resourceFormatError(resource: string): string | undefined {
  if (resource === '*') return undefined;
  const [, partition, ...rest] = segmentsOf(resource);
  if (partition === undefined) return MESSAGES.notArn(resource);
  if (partition !== '*' && !PARTITIONS.has(partition)) {
    // AWS echoes the resource as an ARN, filling the segments it could not find with "*".
    const segment = (i: number) => (rest.length > i && (rest[i] !== '' || rest.length > 1) ? rest[i] : '*');
    const tail = rest.length > 3 ? rest.slice(3).join(':') : '*';
    return MESSAGES.badPartition(partition, `arn:${partition}:${segment(0)}:${segment(1)}:${segment(2)}:${tail}`);
  }
  if (rest.length === 0) return MESSAGES.vendorNotQualified;
  const [service, region = '', , ...resourceParts] = rest;
  const resourcePart = resourceParts.join(':');
  if (service === 'iam' && region !== '') return MESSAGES.iamRegion(resource);
  if (service === 's3' && region !== '' && !resourcePart.startsWith('accesspoint/')) return MESSAGES.s3Region(resource);
  if (
    service === 'iam' &&
    resourcePart !== '*' &&
    resourcePart !== 'root' &&
    !IAM_RESOURCE_TYPES.some((type) => resourcePart.startsWith(type))
  ) {
    return MESSAGES.iamPath;
  }
  return undefined;
}

/** ARNs with too few segments fail IAM's older ("legacy") parser before any other resource check. */
export function failsLegacyParsing(resource: string): boolean {
  if (resource === '*') return false;
  const segments = segmentsOf(resource);
  return (segments.length < 6 && resource.includes('::')) || segments[2] === '';
}
