import { randomUUID } from 'node:crypto';
import type { Role } from './entities.js';
import type { Domain } from './context.js';
import { IamError } from './errors.js';
import { createRole, requireRole, deleteRole } from './roles.js';

/**
 * Service-linked roles: roles an AWS service creates for itself, under the name and path AWS gives
 * them (AWSServiceRoleFor… at /aws-service-role/SERVICE/), trusting only that service, and
 * protected from plain changes (roles.ts refuses them). iamd knows the common services' names;
 * any other service principal is refused as AWS refuses a service that has no service-linked role.
 */
interface LinkedService {
  roleName: string;
  /** Whether the service lets callers add a CustomSuffix (AWS: only some do). */
  customSuffix: boolean;
  description?: string;
}

export const LINKED_SERVICES: ReadonlyMap<string, LinkedService> = new Map(
  Object.entries({
    'autoscaling.amazonaws.com': { roleName: 'AWSServiceRoleForAutoScaling', customSuffix: true, description: 'Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling' },
    'ecs.amazonaws.com': { roleName: 'AWSServiceRoleForECS', customSuffix: false, description: 'Role to enable Amazon ECS to manage your cluster.' },
    'elasticloadbalancing.amazonaws.com': { roleName: 'AWSServiceRoleForElasticLoadBalancing', customSuffix: false, description: "Allows ELB to call AWS services on customer's behalf." },
    'rds.amazonaws.com': { roleName: 'AWSServiceRoleForRDS', customSuffix: false, description: 'Allows Amazon RDS to manage AWS resources on your behalf' },
    'opensearchservice.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonOpenSearchService', customSuffix: false },
    'es.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonElasticsearchService', customSuffix: false },
    'organizations.amazonaws.com': { roleName: 'AWSServiceRoleForOrganizations', customSuffix: false, description: 'Service-linked role used by AWS Organizations to enable integration of other AWS services with Organizations.' },
    'spot.amazonaws.com': { roleName: 'AWSServiceRoleForEC2Spot', customSuffix: false, description: 'Default EC2 Spot Service Linked Role' },
    'spotfleet.amazonaws.com': { roleName: 'AWSServiceRoleForEC2SpotFleet', customSuffix: false, description: 'Default EC2 Spot Fleet Service Linked Role' },
    'elasticbeanstalk.amazonaws.com': { roleName: 'AWSServiceRoleForElasticBeanstalk', customSuffix: true },
    'eks.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonEKS', customSuffix: false, description: 'Allows Amazon EKS to call AWS services on your behalf.' },
    'eks-nodegroup.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonEKSNodegroup', customSuffix: false, description: 'This policy allows Amazon EKS to create and manage Nodegroups' },
    'eks-fargate.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonEKSForFargate', customSuffix: false },
    'config.amazonaws.com': { roleName: 'AWSServiceRoleForConfig', customSuffix: false },
    'guardduty.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonGuardDuty', customSuffix: false, description: 'A service-linked role required for Amazon GuardDuty to access your resources. ' },
    'securityhub.amazonaws.com': { roleName: 'AWSServiceRoleForSecurityHub', customSuffix: false, description: 'A service-linked role required for AWS Security Hub to access your resources.' },
    'cloudtrail.amazonaws.com': { roleName: 'AWSServiceRoleForCloudTrail', customSuffix: false },
    'elasticache.amazonaws.com': { roleName: 'AWSServiceRoleForElastiCache', customSuffix: false, description: 'This policy allows ElastiCache to manage AWS resources on your behalf as necessary for managing your cache.' },
    'redshift.amazonaws.com': { roleName: 'AWSServiceRoleForRedshift', customSuffix: false },
    'ssm.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonSSM', customSuffix: false, description: 'Provides access to AWS Resources managed or used by Amazon SSM.' },
    'sso.amazonaws.com': { roleName: 'AWSServiceRoleForSSO', customSuffix: false },
    'support.amazonaws.com': { roleName: 'AWSServiceRoleForSupport', customSuffix: false },
    'trustedadvisor.amazonaws.com': { roleName: 'AWSServiceRoleForTrustedAdvisor', customSuffix: false },
    'apigateway.amazonaws.com': { roleName: 'AWSServiceRoleForAPIGateway', customSuffix: false },
    'kafka.amazonaws.com': { roleName: 'AWSServiceRoleForKafka', customSuffix: false },
    'dynamodb.application-autoscaling.amazonaws.com': { roleName: 'AWSServiceRoleForApplicationAutoScaling_DynamoDBTable', customSuffix: false },
    'ecs.application-autoscaling.amazonaws.com': { roleName: 'AWSServiceRoleForApplicationAutoScaling_ECSService', customSuffix: false },
    'lambda.application-autoscaling.amazonaws.com': { roleName: 'AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency', customSuffix: false },
    'replication.dynamodb.amazonaws.com': { roleName: 'AWSServiceRoleForDynamoDBReplication', customSuffix: false },
    'transitgateway.amazonaws.com': { roleName: 'AWSServiceRoleForVPCTransitGateway', customSuffix: false },
    'globalaccelerator.amazonaws.com': { roleName: 'AWSServiceRoleForGlobalAccelerator', customSuffix: false },
    'backup.amazonaws.com': { roleName: 'AWSServiceRoleForBackup', customSuffix: false },
    'fsx.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonFSx', customSuffix: false },
    'elasticmapreduce.amazonaws.com': { roleName: 'AWSServiceRoleForEMRCleanup', customSuffix: false },
    'cloudformation.amazonaws.com': { roleName: 'AWSServiceRoleForCloudFormationStackSetsOrgAdmin', customSuffix: false },
    'access-analyzer.amazonaws.com': { roleName: 'AWSServiceRoleForAccessAnalyzer', customSuffix: false },
    'inspector2.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonInspector2', customSuffix: false },
    'macie.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonMacie', customSuffix: false },
    'compute-optimizer.amazonaws.com': { roleName: 'AWSServiceRoleForComputeOptimizer', customSuffix: false },
  }),
);

/** The trust policy AWS writes for a service-linked role: only its service may assume it. */
const trustPolicyFor = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: ['sts:AssumeRole'] }],
  });

export async function createServiceLinkedRole(
  domain: Domain,
  input: { AWSServiceName: string; Description?: string; CustomSuffix?: string },
): Promise<Role> {
  const service = LINKED_SERVICES.get(input.AWSServiceName);
  if (!service) throw new IamError('InvalidInput', `Service role name ${input.AWSServiceName} has not been supported.`);
  if (input.CustomSuffix !== undefined && !service.customSuffix) {
    throw new IamError('InvalidInput', `Custom suffix is not allowed for ${input.AWSServiceName}`);
  }
  const roleName = input.CustomSuffix === undefined ? service.roleName : `${service.roleName}_${input.CustomSuffix}`;
  if (await domain.store.roles.getByName(roleName)) {
    throw new IamError('InvalidInput', `Service role name ${roleName} has been taken in this account, please try a different suffix.`);
  }
  return createRole(
    domain,
    {
      RoleName: roleName,
      Path: `/aws-service-role/${input.AWSServiceName}/`,
      AssumeRolePolicyDocument: trustPolicyFor(input.AWSServiceName),
      Description: input.Description ?? service.description,
    },
    input.AWSServiceName,
  );
}

/**
 * AWS deletes a service-linked role asynchronously and reports on a task; iamd deletes it at once
 * (no service of its own uses the role) and records the task as SUCCEEDED for
 * GetServiceLinkedRoleDeletionStatus.
 */
export async function deleteServiceLinkedRole(domain: Domain, roleName: string): Promise<string> {
  const role = await requireRole(domain, roleName);
  if (role.linkedService === null) throw new IamError('InvalidInput', `Role ${roleName} is not a service-linked role.`);
  await deleteRole(domain, roleName, true);
  const taskId = `task${role.path}${role.name}/${randomUUID()}`;
  await domain.store.settings.set(deletionTaskKey(taskId), 'SUCCEEDED');
  return taskId;
}

export async function getServiceLinkedRoleDeletionStatus(domain: Domain, taskId: string): Promise<{ Status: string }> {
  const status = await domain.store.settings.get(deletionTaskKey(taskId));
  if (status === undefined) throw new IamError('NoSuchEntity', `Deletion task ${taskId} cannot be found.`);
  return { Status: status };
}

const deletionTaskKey = (taskId: string) => `slr-deletion-task:${taskId}`;
