import type { Caller, Tag } from '../domain/entities.js';
import type { IamError } from '../domain/errors.js';
import { type Domain, callerArn, targetUserName } from '../domain/context.js';
import { groupArn, instanceProfileArn, roleArn, rootArn, userArn } from '../domain/arn.js';
import { parsePolicySourceArn } from '../domain/policy-source.js';
import type { IamInputs } from './model/inputs.js';

/**
 * One entry of the operation table. The input and output shapes come from the service model
 * under the operation's name; an entry adds who may call it (the IAM action and the resource it
 * acts on, for authorization) and the handler that calls the domain.
 *
 * Handlers receive input already read and validated against the model, so its members have the
 * types and constraints the model declares; `I` is that type, generated from the model
 * (model/inputs.ts), so the compiler checks handlers against the model too.
 */
export interface Operation<I> {
  /** The IAM action checked by the authorizer, e.g. iam:UpdateLoginProfile. */
  action: string;
  /** The resource acted on: its ARN (a user's includes its path, so it may need a lookup) and tags. */
  resource(domain: Domain, caller: Caller, input: I): Promise<Resource>;
  /** `request`: how the request reached iamd (for the few answers that name iamd's own URL). */
  handler(domain: Domain, caller: Caller, input: I, request: RequestOrigin): Promise<Record<string, unknown> | void>;
  /**
   * AWS's own sentences for members whose value breaks the model's pattern (checked before the
   * model's generic ValidationError): member name → the error.
   */
  patternMessages?: Readonly<Record<string, () => IamError>>;
}

/** Operations by name, each typed with its input from the IAM model. */
export type OperationTable = { [Name in keyof IamInputs]?: Operation<IamInputs[Name]> };

export interface RequestOrigin {
  /** The Host header (signed by SigV4); absent for the console's calls. */
  host?: string;
  secureTransport: boolean;
}

export interface Resource {
  /** What policies match (the Resource element); an ARN, or `*`. */
  arn: string;
  /** For the aws:ResourceTag/* condition keys. */
  tags?: Tag[];
  /**
   * How an AccessDenied names the resource ("… on resource: <this> because …") when AWS does not
   * print the ARN: for most IAM actions on an existing-or-not user, role, group or instance
   * profile, the type and bare name ("user bob", "instance profile web", no path); for actions
   * taking a PolicyArn, "policy <ARN>". Absent: the ARN (Create* actions, listings, `*`, STS).
   * Recorded AWS denials are summarized in README's AccessDenied section.
   */
  denialName?: string;
}

/** An entity named by the input, as AWS's denials name it: its type word and bare name, no path. */
const named = (type: 'user' | 'role' | 'group' | 'instance profile' | 'policy', name: string) => `${type} ${name}`;

/**
 * The user named in the input (or the caller); a missing user gets the path-less ARN. Denials name
 * it "user NAME", the name as given; a user acting on itself without UserName, "user <its name>".
 * The root user acting on itself keeps its ARN (no recorded AWS denial says otherwise).
 */
export async function targetUser(domain: Domain, caller: Caller, userName: string | undefined): Promise<Resource> {
  if (userName === undefined && caller.kind === 'root') return { arn: rootArn(domain.accountId) };
  const name = targetUserName(caller, userName);
  if (caller.kind === 'user' && caller.user.name.toLowerCase() === name.toLowerCase()) {
    return { arn: callerArn(caller), tags: caller.user.tags, denialName: named('user', name) };
  }
  const user = await domain.store.users.getByName(name);
  return { arn: userArn(domain.accountId, user?.path ?? '/', user?.name ?? name), tags: user?.tags, denialName: named('user', name) };
}

export const onUser = async (domain: Domain, caller: Caller, input: { UserName?: string }) => targetUser(domain, caller, input.UserName);

/**
 * CreateAccessKey, DeleteAccessKey, ListAccessKeys: as onUser, except that an IAM user acting on
 * its own keys without UserName is named "user null<its name>" — AWS glues the literal `null` (its
 * absent UserName) to the caller's name. Reproduced because it is AWS's stable, recorded wording,
 * not a one-off: ListAccessKeys in 2024 (stefansundin/aws-rotate-key#25, and a lab's CloudTrail),
 * CreateAccessKey in 2017 (99designs/aws-vault#190, requestParameters null), all three in BOTSv3's
 * 2018 CloudTrail. Other actions without UserName (GetUser, ListSigningCertificates) show no
 * `null`, and nothing recorded shows UpdateAccessKey without UserName, so it keeps "user NAME".
 */
export const onOwnAccessKeys = async (domain: Domain, caller: Caller, input: { UserName?: string }): Promise<Resource> => {
  const resource = await targetUser(domain, caller, input.UserName);
  return input.UserName === undefined && caller.kind === 'user' ? { ...resource, denialName: `user null${caller.user.name}` } : resource;
};

/**
 * An entity a Create* action would make: AWS's denials name it by its full ARN, path included
 * (CreateUser, CreateRole, CreateGroup, CreateInstanceProfile, CreateServiceLinkedRole,
 * CreateVirtualMFADevice, and the tag-on-create checks), unlike the actions on an existing one.
 */
export const creating =
  <I>(resolve: (domain: Domain, caller: Caller, input: I) => Promise<Resource>) =>
  async (domain: Domain, caller: Caller, input: I): Promise<Resource> => {
    const { denialName: _, ...resource } = await resolve(domain, caller, input);
    return resource;
  };

export const onNewUser = async (domain: Domain, _caller: Caller, input: { UserName: string; Path?: string }) => ({
  arn: userArn(domain.accountId, input.Path ?? '/', input.UserName),
});

export const onAccount = async (): Promise<Resource> => ({ arn: '*' });

/**
 * A listing by path: AWS authorizes it on the path prefix's ARN of that kind, which its denials
 * name ("is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/",
 * as AWS's API reference and countless recorded denials show), so a policy may allow listing under
 * one path only.
 */
export const onPathPrefix =
  (kind: 'user' | 'group' | 'role' | 'instance-profile' | 'server-certificate') =>
  async (domain: Domain, _caller: Caller, input: { PathPrefix?: string }): Promise<Resource> => ({
    arn: `arn:aws:iam::${domain.accountId}:${kind}${input.PathPrefix ?? '/'}`,
  });

/** ListPolicies names no ARN: AWS's denials say "on resource: policy path /" (the PathPrefix). */
export const onPolicyPath = async (_domain: Domain, _caller: Caller, input: { PathPrefix?: string }): Promise<Resource> => ({
  arn: `policy path ${input.PathPrefix ?? '/'}`,
});

export const onGroup = async (domain: Domain, _caller: Caller, input: { GroupName: string; Path?: string }): Promise<Resource> => {
  const group = await domain.store.groups.getByName(input.GroupName);
  return { arn: groupArn(domain.accountId, group?.path ?? input.Path ?? '/', group?.name ?? input.GroupName), denialName: named('group', input.GroupName) };
};

/** A managed policy by its ARN: AWS's denials say "policy <ARN>" (GetPolicy, CreatePolicyVersion, ListPolicyVersions…). */
export const onPolicy = async (_domain: Domain, _caller: Caller, input: { PolicyArn: string }): Promise<Resource> => ({
  arn: input.PolicyArn,
  denialName: named('policy', input.PolicyArn),
});

/** CreatePolicy: authorized on the new policy's ARN, but AWS's denials say "policy NAME" (unlike the other Create* actions). */
export const onNewPolicy = async (domain: Domain, _caller: Caller, input: { PolicyName: string; Path?: string }): Promise<Resource> => ({
  arn: `arn:aws:iam::${domain.accountId}:policy${input.Path ?? '/'}${input.PolicyName}`,
  denialName: named('policy', input.PolicyName),
});

export const onRole = async (domain: Domain, _caller: Caller, input: { RoleName: string; Path?: string }): Promise<Resource> => {
  const role = await domain.store.roles.getByName(input.RoleName);
  return {
    arn: roleArn(domain.accountId, role?.path ?? input.Path ?? '/', role?.name ?? input.RoleName),
    tags: role?.tags,
    denialName: named('role', input.RoleName),
  };
};

export const onInstanceProfile = async (
  domain: Domain,
  _caller: Caller,
  input: { InstanceProfileName: string; Path?: string },
): Promise<Resource> => {
  const profile = await domain.store.instanceProfiles.getByName(input.InstanceProfileName);
  return {
    arn: instanceProfileArn(domain.accountId, profile?.path ?? input.Path ?? '/', profile?.name ?? input.InstanceProfileName),
    tags: profile?.tags,
    denialName: named('instance profile', input.InstanceProfileName),
  };
};

/**
 * A PolicySourceArn (SimulatePrincipalPolicy, GetContextKeysForPrincipalPolicy): the user, group or
 * role it names, as the operations on that entity see it; any other ARN as given (the handler then
 * refuses it).
 */
export const onPolicySource = async (domain: Domain, caller: Caller, input: { PolicySourceArn: string }): Promise<Resource> => {
  const source = parsePolicySourceArn(domain.accountId, input.PolicySourceArn);
  if (source?.kind === 'user') return onUser(domain, caller, { UserName: source.name });
  if (source?.kind === 'group') return onGroup(domain, caller, { GroupName: source.name });
  if (source?.kind === 'role') return onRole(domain, caller, { RoleName: source.name });
  return { arn: input.PolicySourceArn };
};
