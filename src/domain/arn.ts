/** ARNs as IAM writes them. A user's path is part of its ARN: arn:aws:iam::123456789012:user/division/Bob. */
export const userArn = (accountId: string, path: string, name: string): string =>
  `arn:aws:iam::${accountId}:user${path}${name}`;

export const rootArn = (accountId: string): string => `arn:aws:iam::${accountId}:root`;

export const groupArn = (accountId: string, path: string, name: string): string =>
  `arn:aws:iam::${accountId}:group${path}${name}`;

export const policyArn = (accountId: string, path: string, name: string): string =>
  `arn:aws:iam::${accountId}:policy${path}${name}`;

export const roleArn = (accountId: string, path: string, name: string): string => `arn:aws:iam::${accountId}:role${path}${name}`;

export const instanceProfileArn = (accountId: string, path: string, name: string): string =>
  `arn:aws:iam::${accountId}:instance-profile${path}${name}`;

/** A virtual MFA device's ARN, which is also its serial number: arn:aws:iam::123456789012:mfa/team/phone. */
export const mfaArn = (accountId: string, path: string, name: string): string => `arn:aws:iam::${accountId}:mfa${path}${name}`;

/** A role session's ARN: the role's name without its path, then the session name. */
export const assumedRoleArn = (accountId: string, roleName: string, sessionName: string): string =>
  `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;

/** A federated user's ARN (GetFederationToken). */
export const federatedUserArn = (accountId: string, name: string): string => `arn:aws:sts::${accountId}:federated-user/${name}`;

export const serverCertificateArn = (accountId: string, path: string, name: string): string =>
  `arn:aws:iam::${accountId}:server-certificate${path}${name}`;

/** An OIDC provider's ARN: its URL without https:// (host, optional port and path). */
export const oidcProviderArn = (accountId: string, url: string): string => `arn:aws:iam::${accountId}:oidc-provider/${url}`;

export const samlProviderArn = (accountId: string, name: string): string => `arn:aws:iam::${accountId}:saml-provider/${name}`;
