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
/**
 * Each service's role name, as AWS creates it (recorded from AWS for every service below but the
 * last, which AWS documents; the name cannot be derived from the service's: dms.amazonaws.com's is
 * AWSServiceRoleForDMSServerless).
 */
const ROLE_NAMES: readonly (readonly [string, string])[] = [
    ['accountdiscovery.ssm.amazonaws.com', 'AWSServiceRoleForAmazonSSM_AccountDiscovery'],
    ['acm.amazonaws.com', 'AWSServiceRoleForCertificateManager'],
    ['appmesh.amazonaws.com', 'AWSServiceRoleForAppMesh'],
    ['autoscaling-plans.amazonaws.com', 'AWSServiceRoleForAutoScalingPlans_EC2AutoScaling'],
    ['autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling'],
    ['backup.amazonaws.com', 'AWSServiceRoleForBackup'],
    ['batch.amazonaws.com', 'AWSServiceRoleForBatch'],
    ['cassandra.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_CassandraTable'],
    ['cks.kms.amazonaws.com', 'AWSServiceRoleForKeyManagementServiceCustomKeyStores'],
    ['cloudtrail.amazonaws.com', 'AWSServiceRoleForCloudTrail'],
    ['codestar-notifications.amazonaws.com', 'AWSServiceRoleForCodeStarNotifications'],
    ['config.amazonaws.com', 'AWSServiceRoleForConfig'],
    ['connect.amazonaws.com', 'AWSServiceRoleForAmazonConnect'],
    ['dms-fleet-advisor.amazonaws.com', 'AWSServiceRoleForDMSFleetAdvisor'],
    ['dms.amazonaws.com', 'AWSServiceRoleForDMSServerless'],
    ['docdb-elastic.amazonaws.com', 'AWSServiceRoleForDocDB-Elastic'],
    ['ec2-instance-connect.amazonaws.com', 'AWSServiceRoleForEc2InstanceConnect'],
    ['ec2.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest'],
    ['ecr.amazonaws.com', 'AWSServiceRoleForECRTemplate'],
    ['ecs.amazonaws.com', 'AWSServiceRoleForECS'],
    ['eks-connector.amazonaws.com', 'AWSServiceRoleForAmazonEKSConnector'],
    ['eks-fargate.amazonaws.com', 'AWSServiceRoleForAmazonEKSForFargate'],
    ['eks-nodegroup.amazonaws.com', 'AWSServiceRoleForAmazonEKSNodegroup'],
    ['eks.amazonaws.com', 'AWSServiceRoleForAmazonEKS'],
    ['elasticache.amazonaws.com', 'AWSServiceRoleForElastiCache'],
    ['elasticbeanstalk.amazonaws.com', 'AWSServiceRoleForElasticBeanstalk'],
    ['elasticfilesystem.amazonaws.com', 'AWSServiceRoleForAmazonElasticFileSystem'],
    ['elasticloadbalancing.amazonaws.com', 'AWSServiceRoleForElasticLoadBalancing'],
    ['email.cognito-idp.amazonaws.com', 'AWSServiceRoleForAmazonCognitoIdpEmailService'],
    ['emr-containers.amazonaws.com', 'AWSServiceRoleForAmazonEMRContainers'],
    ['emrwal.amazonaws.com', 'AWSServiceRoleForEMRWAL'],
    ['fis.amazonaws.com', 'AWSServiceRoleForFIS'],
    ['grafana.amazonaws.com', 'AWSServiceRoleForAmazonGrafana'],
    ['imagebuilder.amazonaws.com', 'AWSServiceRoleForImageBuilder'],
    ['iotmanagedintegrations.amazonaws.com', 'AWSServiceRoleForIoTManagedIntegrations'],
    ['kafka.amazonaws.com', 'AWSServiceRoleForKafka'],
    ['kafkaconnect.amazonaws.com', 'AWSServiceRoleForKafkaConnect'],
    ['lakeformation.amazonaws.com', 'AWSServiceRoleForLakeFormationDataAccess'],
    ['lex.amazonaws.com', 'AWSServiceRoleForLexBots'],
    ['lexv2.amazonaws.com', 'AWSServiceRoleForLexV2Bots'],
    ['lightsail.amazonaws.com', 'AWSServiceRoleForLightsail'],
    ['m2.amazonaws.com', 'AWSServiceRoleForAWSM2'],
    ['memorydb.amazonaws.com', 'AWSServiceRoleForMemoryDB'],
    ['mq.amazonaws.com', 'AWSServiceRoleForAmazonMQ'],
    ['mrk.kms.amazonaws.com', 'AWSServiceRoleForKeyManagementServiceMultiRegionKeys'],
    ['notifications.amazonaws.com', 'AWSServiceRoleForAwsUserNotifications'],
    ['observability.aoss.amazonaws.com', 'AWSServiceRoleForAmazonOpenSearchServerless'],
    ['opensearchservice.amazonaws.com', 'AWSServiceRoleForAmazonOpenSearchService'],
    ['ops.apigateway.amazonaws.com', 'AWSServiceRoleForAPIGateway'],
    ['ops.emr-serverless.amazonaws.com', 'AWSServiceRoleForAmazonEMRServerless'],
    ['opsdatasync.ssm.amazonaws.com', 'AWSServiceRoleForSystemsManagerOpsDataSync'],
    ['opsinsights.ssm.amazonaws.com', 'AWSServiceRoleForAmazonSSM_OpsInsights'],
    ['pullthroughcache.ecr.amazonaws.com', 'AWSServiceRoleForECRPullThroughCache'],
    ['ram.amazonaws.com', 'AWSServiceRoleForResourceAccessManager'],
    ['rds.amazonaws.com', 'AWSServiceRoleForRDS'],
    ['redshift.amazonaws.com', 'AWSServiceRoleForRedshift'],
    ['replication.cassandra.amazonaws.com', 'AWSServiceRoleForKeyspacesReplication'],
    ['replication.ecr.amazonaws.com', 'AWSServiceRoleForECRReplication'],
    ['repository.sync.codeconnections.amazonaws.com', 'AWSServiceRoleForGitSync'],
    ['resource-explorer-2.amazonaws.com', 'AWSServiceRoleForResourceExplorer'],
    ['rolesanywhere.amazonaws.com', 'AWSServiceRoleForRolesAnywhere'],
    ['s3-outposts.amazonaws.com', 'AWSServiceRoleForS3OnOutposts'],
    ['ses.amazonaws.com', 'AWSServiceRoleForAmazonSES'],
    ['shield.amazonaws.com', 'AWSServiceRoleForAWSShield'],
    ['ssm-incidents.amazonaws.com', 'AWSServiceRoleForIncidentManager'],
    ['ssm-quicksetup.amazonaws.com', 'AWSServiceRoleForSSMQuickSetup'],
    ['ssm.amazonaws.com', 'AWSServiceRoleForAmazonSSM'],
    ['sso.amazonaws.com', 'AWSServiceRoleForSSO'],
    ['vpcorigin.cloudfront.amazonaws.com', 'AWSServiceRoleForCloudFrontVPCOrigin'],
    ['waf.amazonaws.com', 'AWSServiceRoleForWAFLogging'],
    ['wafv2.amazonaws.com', 'AWSServiceRoleForWAFV2Logging'],
    ['spot.amazonaws.com', 'AWSServiceRoleForEC2Spot'],
    ['spotfleet.amazonaws.com', 'AWSServiceRoleForEC2SpotFleet'],
    ['organizations.amazonaws.com', 'AWSServiceRoleForOrganizations'],
    // Not recorded; the name and service principal are those of AWS's Application Auto Scaling User
    // Guide ("Custom resources and Application Auto Scaling"), whose manual creation is this call.
    ['custom-resource.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_CustomResource'],
];

/** The services that accept a CustomSuffix (recorded: every other one refuses it). */
const SUFFIX_ALLOWED: ReadonlySet<string> = new Set(['autoscaling.amazonaws.com', 'connect.amazonaws.com', 'lexv2.amazonaws.com']);

export const LINKED_SERVICES: ReadonlyMap<string, { roleName: string; customSuffix: boolean }> = new Map(
  ROLE_NAMES.map(([service, roleName]) => [service, { roleName, customSuffix: SUFFIX_ALLOWED.has(service) }]),
);

/** The trust policy AWS writes for a service-linked role: only its service may assume it. */
const trustPolicyFor = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

export async function createServiceLinkedRole(
  domain: Domain,
  input: { AWSServiceName: string; Description?: string; CustomSuffix?: string },
): Promise<Role> {
  const service = LINKED_SERVICES.get(input.AWSServiceName);
  // AWS's text for a service without service-linked roles is not on record; this one says what is wrong.
  if (!service) throw new IamError('InvalidInput', `Service ${input.AWSServiceName} does not support service-linked roles.`);
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
      Description: input.Description, // AWS writes none unless given
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
