import { parsePolicyDocument, type PolicyDocument } from './document.js';

/** The AWS managed policies iamd ships, by ARN, with AWS's real documents (look them up: the search tool's docs corpus has AWS's managed policy reference pages): arn:aws:iam::aws:policy/IAMUserChangePassword, arn:aws:iam::aws:policy/IAMFullAccess, arn:aws:iam::aws:policy/IAMReadOnlyAccess, arn:aws:iam::aws:policy/AdministratorAccess. */
export interface AwsManagedPolicy {
  arn: string;
  name: string;
  path: '/';
  description: string;
  versionId: string;
  createDate: Date;
  updateDate: Date;
  document: PolicyDocument;
  documentText: string;
}

/*
 * Documents, descriptions, default versions and dates are those of AWS's Managed Policy Reference
 * (docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html). The reference gives times
 * to the minute; AdministratorAccess's seconds are from a GetPolicy capture (18:39:46).
 */
const SOURCES: Omit<AwsManagedPolicy, 'arn' | 'path' | 'document'>[] = [
  {
    name: 'AdministratorAccess',
    description: 'Provides full access to AWS services and resources.',
    versionId: 'v1',
    createDate: new Date('2015-02-06T18:39:46Z'),
    updateDate: new Date('2015-02-06T18:39:46Z'),
    documentText: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}`,
  },
  {
    name: 'IAMFullAccess',
    description: 'Provides full access to IAM via the AWS Management Console.',
    versionId: 'v2',
    createDate: new Date('2015-02-06T18:40:00Z'),
    updateDate: new Date('2019-06-21T19:40:00Z'),
    documentText: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "iam:*",
        "organizations:DescribeAccount",
        "organizations:DescribeOrganization",
        "organizations:DescribeOrganizationalUnit",
        "organizations:DescribePolicy",
        "organizations:ListChildren",
        "organizations:ListParents",
        "organizations:ListPoliciesForTarget",
        "organizations:ListRoots",
        "organizations:ListPolicies",
        "organizations:ListTargetsForPolicy"
      ],
      "Resource": "*"
    }
  ]
}`,
  },
  {
    name: 'IAMReadOnlyAccess',
    description: 'Provides read only access to IAM via the AWS Management Console.',
    versionId: 'v4',
    createDate: new Date('2015-02-06T18:40:00Z'),
    updateDate: new Date('2018-01-25T19:11:00Z'),
    documentText: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "iam:GenerateCredentialReport",
        "iam:GenerateServiceLastAccessedDetails",
        "iam:Get*",
        "iam:List*",
        "iam:SimulateCustomPolicy",
        "iam:SimulatePrincipalPolicy"
      ],
      "Resource": "*"
    }
  ]
}`,
  },
  {
    name: 'IAMUserChangePassword',
    description: 'Provides the ability for an IAM user to change their own password.',
    versionId: 'v3',
    createDate: new Date('2016-11-15T00:25:00Z'),
    updateDate: new Date('2025-05-29T21:52:00Z'),
    // The second resource is for users with a path: user/division/alice.
    documentText: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "iam:ChangePassword"
      ],
      "Resource": [
        "arn:aws:iam::*:user/\${aws:username}",
        "arn:aws:iam::*:user/*/\${aws:username}"
      ]
    },
    {
      "Effect": "Allow",
      "Action": [
        "iam:GetAccountPasswordPolicy"
      ],
      "Resource": "*"
    }
  ]
}`,
  },
];

export const AWS_MANAGED_POLICIES: ReadonlyMap<string, AwsManagedPolicy> = new Map(
  SOURCES.map((source): [string, AwsManagedPolicy] => {
    const arn = `arn:aws:iam::aws:policy/${source.name}`;
    return [arn, { ...source, arn, path: '/', document: parsePolicyDocument(source.documentText, { requireVersion2012: true }) }];
  }),
);
