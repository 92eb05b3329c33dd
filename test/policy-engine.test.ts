import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvePattern, type Pattern } from '../src/domain/policy/variables.js';
import { actionMatcher, arnMatcher, resourceMatcher, stringLikeMatcher } from '../src/domain/policy/wildcard.js';
import { WorkBudget, WorkLimitExceeded } from '../src/domain/work-budget.js';
import { AWS_MANAGED_POLICIES } from '../src/domain/policy/aws-managed.js';
import { parsePolicyDocument } from '../src/domain/policy/document.js';
import { evaluate, type Decision, type NamedPolicy, type RequestContext } from '../src/domain/policy/evaluate.js';

// Pure unit tests of the policy language: documents go through parsePolicyDocument, so every
// policy here is one IAM would accept.

const ACCOUNT = '123456789012';
const userArn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:user${path}${name}`;
const ALICE = { arn: userArn('alice'), accountId: ACCOUNT, userName: 'alice', userId: 'AIDAALICE0000000000' };
const ROOT = { arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };

type Json = Record<string, unknown>;
type Principal = RequestContext['principal'];

interface Case {
  name: string;
  policies: Json[][]; // each policy is a list of statements
  boundary?: Json[][];
  version?: string | null; // null: no Version element
  request: Partial<RequestContext>;
  expected: Decision;
}

const policy = (id: string, statements: Json[], version: string | null = '2012-10-17'): NamedPolicy => ({
  id,
  document: parsePolicyDocument(JSON.stringify(version === null ? { Statement: statements } : { Version: version, Statement: statements })),
});
const allow = (Action: unknown, Resource: unknown = '*', extra: Json = {}): Json => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: unknown, Resource: unknown = '*', extra: Json = {}): Json => ({ Effect: 'Deny', Action, Resource, ...extra });

function run(c: Case) {
  const request: RequestContext = { action: 'iam:GetUser', resource: userArn('alice'), principal: ALICE, ...c.request };
  const version = c.version === undefined ? '2012-10-17' : c.version;
  return evaluate(
    request,
    c.policies.map((statements, i) => policy(`p${i}`, statements, version)),
    c.boundary?.map((statements, i) => policy(`b${i}`, statements, version)),
  );
}

const cases: Case[] = [];

// --- Action: wildcards and case ------------------------------------------------------------------
const ACTIONS: [pattern: string, action: string, matches: boolean][] = [
  ['*', 'iam:GetUser', true],
  ['*', 's3:GetObject', true],
  ['iam:*', 'iam:GetUser', true],
  ['iam:*', 's3:GetObject', false],
  ['iam:*', 'iamx:GetUser', false],
  ['iam:Get*', 'iam:GetUser', true],
  ['iam:Get*', 'iam:GetAccountPasswordPolicy', true],
  ['iam:Get*', 'iam:ListUsers', false],
  ['iam:*User', 'iam:GetUser', true],
  ['iam:*User', 'iam:GetUsers', false],
  ['iam:*Login*', 'iam:UpdateLoginProfile', true],
  ['iam:?etUser', 'iam:GetUser', true],
  ['iam:?etUser', 'iam:SetUser', true],
  ['iam:?etUser', 'iam:GGetUser', false],
  ['iam:Get?', 'iam:GetUser', false],
  ['iam:Change?assword', 'iam:ChangePassword', true],
  ['iam:GetUser', 'iam:GetUser', true],
  ['iam:GetUser', 'iam:GetUserPolicy', false],
  ['iam:GetUser*', 'iam:GetUserPolicy', true],
  ['IAM:GETUSER', 'iam:GetUser', true],
  ['iam:getuser', 'IAM:GetUser', true],
  ['iam:Get*', 'IAM:GETUSER', true],
  ['Iam:List*', 'iam:listaccesskeys', true],
  ['iam:Get.User', 'iam:GetxUser', false],
  ['s3:*', 's3:GetObject', true],
  ['ec2:Describe*', 'ec2:DescribeInstances', true],
  ['ec2:Describe*', 'ec2:RunInstances', false],
];
for (const [pattern, action, matches] of ACTIONS) {
  const request = { action, resource: '*' };
  cases.push({ name: `Action ${pattern} ${matches ? 'matches' : 'misses'} ${action}`, policies: [[allow(pattern)]], request, expected: matches ? 'allowed' : 'implicitDeny' });
  cases.push({ name: `Deny ${pattern} ${matches ? 'denies' : 'spares'} ${action}`, policies: [[allow('*'), deny(pattern)]], request, expected: matches ? 'explicitDeny' : 'allowed' });
}

// --- Resource: wildcards, segments and case ---------------------------------------------------------
const RESOURCES: [pattern: string, resource: string, matches: boolean][] = [
  ['*', userArn('alice'), true],
  ['*', '*', true],
  [userArn('alice'), userArn('alice'), true],
  [userArn('Alice'), userArn('alice'), false],
  [userArn('alice'), userArn('alice') + '/', false],
  [userArn('alice'), userArn('alice', '/eng/'), false],
  [userArn('*'), userArn('alice'), true],
  [userArn('*'), userArn('alice', '/eng/'), true],
  [userArn('*', '/eng/'), userArn('alice'), false],
  [userArn('*', '/eng/'), userArn('alice', '/eng/'), true],
  ['arn:aws:iam::*:user/alice', userArn('alice'), true],
  ['arn:aws:iam::*:user/alice', 'arn:aws:iam::999999999999:user/alice', true],
  [userArn('al?ce'), userArn('alice'), true],
  [userArn('al?ce'), userArn('alice2'), false],
  [userArn('a*e'), userArn('alice'), true],
  [userArn('a*e'), userArn('alicia'), false],
  [`arn:aws:iam::${ACCOUNT}:*`, userArn('alice'), true],
  [`arn:aws:iam::${ACCOUNT}:*`, 'arn:aws:iam::999999999999:user/alice', false],
  ['arn:aws:iam::*:*', userArn('alice'), true],
  ['arn:aws:iam::*:*', 'arn:aws:s3:::bucket', false],
  ['arn:aws:*:*:*:*', 'arn:aws:s3:::bucket', true],
  ['arn:aws:iam::12*:user/alice', userArn('alice'), true],
  ['arn:aws:iam::*9012:user/alice', userArn('alice'), true],
  [userArn('*'), '*', false],
  ['arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/key', false],
  ['arn:aws:s3:::bucket*', 'arn:aws:s3:::bucket-logs', true],
  ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b:c', true],
  // A `*` inside a segment does not cross a colon; one that ends a segment does (AWS).
  ['arn:aws:s3:::a*z', 'arn:aws:s3:::a:b:z', false],
  ['arn:aws:sqs:us-east-?:123456789012:queue1', 'arn:aws:sqs:us-east-2:123456789012:queue1', true],
  [userArn('alice.smith'), userArn('aliceXsmith'), false],
  [userArn('a+b'), userArn('a+b'), true],
  [userArn('a(b)'), userArn('a(b)'), true],
];
for (const [pattern, resource, matches] of RESOURCES) {
  const request = { action: 'iam:GetUser', resource };
  cases.push({ name: `Resource ${pattern} ${matches ? 'matches' : 'misses'} ${resource}`, policies: [[allow('iam:GetUser', pattern)]], request, expected: matches ? 'allowed' : 'implicitDeny' });
  cases.push({ name: `Deny on ${pattern} ${matches ? 'covers' : 'misses'} ${resource}`, policies: [[allow('*'), deny('iam:GetUser', pattern)]], request, expected: matches ? 'explicitDeny' : 'allowed' });
}

// --- NotAction / NotResource ------------------------------------------------------------------------
cases.push(
  { name: 'Allow NotAction iam:* allows another service', policies: [[{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]], request: { action: 's3:GetObject', resource: '*' }, expected: 'allowed' },
  { name: 'Allow NotAction iam:* does not allow iam', policies: [[{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]], request: { action: 'iam:GetUser' }, expected: 'implicitDeny' },
  { name: 'Allow NotAction is case-insensitive', policies: [[{ Effect: 'Allow', NotAction: 'IAM:get*', Resource: '*' }]], request: { action: 'iam:GetUser' }, expected: 'implicitDeny' },
  { name: 'Allow NotAction list allows what it does not name', policies: [[{ Effect: 'Allow', NotAction: ['iam:Delete*', 'iam:Create*'], Resource: '*' }]], request: { action: 'iam:GetUser' }, expected: 'allowed' },
  { name: 'Allow NotAction list does not allow what it names', policies: [[{ Effect: 'Allow', NotAction: ['iam:Delete*', 'iam:Create*'], Resource: '*' }]], request: { action: 'iam:DeleteUser' }, expected: 'implicitDeny' },
  { name: 'Deny NotAction lets only the named actions through (forced password change)', policies: [[allow('*'), { Effect: 'Deny', NotAction: ['iam:ChangePassword', 'iam:GetAccountPasswordPolicy'], Resource: '*' }]], request: { action: 'iam:ChangePassword' }, expected: 'allowed' },
  { name: 'Deny NotAction denies everything else', policies: [[allow('*'), { Effect: 'Deny', NotAction: ['iam:ChangePassword', 'iam:GetAccountPasswordPolicy'], Resource: '*' }]], request: { action: 'iam:GetUser' }, expected: 'explicitDeny' },
  { name: 'Allow NotResource allows other resources', policies: [[{ Effect: 'Allow', Action: 'iam:*', NotResource: userArn('admin') }]], request: { resource: userArn('alice') }, expected: 'allowed' },
  { name: 'Allow NotResource does not allow the named resource', policies: [[{ Effect: 'Allow', Action: 'iam:*', NotResource: userArn('admin') }]], request: { resource: userArn('admin') }, expected: 'implicitDeny' },
  { name: 'Allow NotResource with a wildcard', policies: [[{ Effect: 'Allow', Action: 'iam:*', NotResource: userArn('*', '/admins/') }]], request: { resource: userArn('root-ish', '/admins/') }, expected: 'implicitDeny' },
  { name: 'Allow NotResource matches "*" requests', policies: [[{ Effect: 'Allow', Action: 'iam:*', NotResource: userArn('admin') }]], request: { action: 'iam:ListUsers', resource: '*' }, expected: 'allowed' },
  { name: 'Deny NotResource denies everything but the named resource', policies: [[allow('*'), { Effect: 'Deny', Action: 'iam:*', NotResource: userArn('alice') }]], request: { resource: userArn('bob') }, expected: 'explicitDeny' },
  { name: 'Deny NotResource spares the named resource', policies: [[allow('*'), { Effect: 'Deny', Action: 'iam:*', NotResource: userArn('alice') }]], request: { resource: userArn('alice') }, expected: 'allowed' },
  { name: 'NotAction and NotResource together: both must hold (miss)', policies: [[{ Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' }]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::secret/x' }, expected: 'implicitDeny' },
  { name: 'NotAction and NotResource together: both must hold (hit)', policies: [[{ Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' }]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::public/x' }, expected: 'allowed' },
  { name: 'NotAction and NotResource together: excluded action', policies: [[{ Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' }]], request: { action: 'iam:GetUser', resource: 'arn:aws:s3:::public/x' }, expected: 'implicitDeny' },
);

// --- Conditions: each operator, positive, negative, missing key ---------------------------------------
type Row = [operator: string, key: string, values: unknown, context: string | string[] | undefined, holds: boolean, contextKey?: string];
const T = 'aws:RequestTag/team';
const NUM = 'aws:MultiFactorAuthAge';
const NOW = 'aws:CurrentTime';
const IP = 'aws:SourceIp';
const SRC = 'aws:SourceArn';
const KEYS = 'aws:TagKeys';
const D = '2020-01-01T00:00:00Z';
const CONDITIONS: Row[] = [
  ['StringEquals', T, 'eng', 'eng', true],
  ['StringEquals', T, 'eng', 'Eng', false],
  ['StringEquals', T, 'eng', 'engineering', false],
  ['StringEquals', T, 'eng', '', false],
  ['StringEquals', T, 'eng', undefined, false],
  ['StringEquals', T, ['eng', 'ops'], 'ops', true],
  ['StringEquals', T, ['eng', 'ops'], 'dev', false],
  ['StringEquals', T, 'e*', 'eng', false],
  ['StringEquals', T, 'e*', 'e*', true],
  ['StringEquals', 'AWS:REQUESTTAG/TEAM', 'eng', 'eng', true, T],
  ['StringNotEquals', T, 'eng', 'eng', false],
  ['StringNotEquals', T, 'eng', 'ops', true],
  ['StringNotEquals', T, 'eng', 'Eng', true],
  ['StringNotEquals', T, 'eng', undefined, true],
  ['StringNotEquals', T, ['eng', 'ops'], 'ops', false],
  ['StringNotEquals', T, ['eng', 'ops'], 'dev', true],
  ['StringEqualsIgnoreCase', T, 'ENG', 'eng', true],
  ['StringEqualsIgnoreCase', T, 'ENG', 'ops', false],
  ['StringEqualsIgnoreCase', T, 'ENG', undefined, false],
  ['StringNotEqualsIgnoreCase', T, 'ENG', 'eng', false],
  ['StringNotEqualsIgnoreCase', T, 'ENG', 'ops', true],
  ['StringNotEqualsIgnoreCase', T, 'ENG', undefined, true],
  ['StringLike', T, 'e*', 'eng', true],
  ['StringLike', T, 'e?g', 'eng', true],
  ['StringLike', T, 'e?g', 'eeng', false],
  ['StringLike', T, 'E*', 'eng', false],
  ['StringLike', T, '*', '', true],
  ['StringLike', T, ['a*', 'b*'], 'bob', true],
  ['StringLike', T, '*/home/*', 'x/home/y', true],
  ['StringLike', T, 'e.g', 'eng', false],
  ['StringLike', T, 'e*', undefined, false],
  ['StringNotLike', T, 'e*', 'eng', false],
  ['StringNotLike', T, 'e*', 'ops', true],
  ['StringNotLike', T, ['e*', 'o*'], 'ops', false],
  ['StringNotLike', T, 'e*', undefined, true],
  ['NumericEquals', NUM, '10', '10', true],
  ['NumericEquals', NUM, '10', '10.0', true],
  ['NumericEquals', NUM, 10, '10', true],
  ['NumericEquals', NUM, '10', '11', false],
  ['NumericEquals', NUM, '10', 'ten', false],
  ['NumericEquals', NUM, ['1', '2'], '2', true],
  ['NumericEquals', NUM, '10', undefined, false],
  ['NumericNotEquals', NUM, '10', '10', false],
  ['NumericNotEquals', NUM, '10', '11', true],
  ['NumericNotEquals', NUM, '10', undefined, true],
  ['NumericLessThan', NUM, '10', '9', true],
  ['NumericLessThan', NUM, '10', '-1', true],
  ['NumericLessThan', NUM, '10', '10', false],
  ['NumericLessThan', NUM, '10', '11', false],
  ['NumericLessThan', NUM, '10', undefined, false],
  ['NumericLessThanEquals', NUM, '10', '10', true],
  ['NumericLessThanEquals', NUM, '10', '10.5', false],
  ['NumericLessThanEquals', NUM, '10', undefined, false],
  ['NumericGreaterThan', NUM, '3600', '3601', true],
  ['NumericGreaterThan', NUM, '3600', '3600', false],
  ['NumericGreaterThan', NUM, '3600', undefined, false],
  ['NumericGreaterThanEquals', NUM, '3600', '3600', true],
  ['NumericGreaterThanEquals', NUM, '3600', '3599', false],
  ['NumericGreaterThanEquals', NUM, '3600', undefined, false],
  ['DateEquals', NOW, D, D, true],
  ['DateEquals', NOW, D, '2020-01-01T00:00:01Z', false],
  ['DateEquals', NOW, '1577836800', D, true],
  ['DateEquals', NOW, '2020-01-01T01:00:00+01:00', D, true],
  ['DateEquals', NOW, '2020-01-01', D, true],
  ['DateEquals', NOW, D, undefined, false],
  ['DateNotEquals', NOW, D, D, false],
  ['DateNotEquals', NOW, D, '2021-01-01T00:00:00Z', true],
  ['DateNotEquals', NOW, D, undefined, true],
  ['DateLessThan', NOW, D, '2019-12-31T23:59:59Z', true],
  ['DateLessThan', NOW, D, D, false],
  ['DateLessThan', NOW, D, '2020-06-01T00:00:00Z', false],
  ['DateLessThan', NOW, D, undefined, false],
  ['DateLessThan', 'aws:EpochTime', D, '1577836799', true],
  ['DateLessThanEquals', NOW, D, D, true],
  ['DateLessThanEquals', NOW, D, '2020-01-01T00:00:00.001Z', false],
  ['DateGreaterThan', NOW, D, '2020-01-01T00:00:01Z', true],
  ['DateGreaterThan', NOW, D, D, false],
  ['DateGreaterThan', NOW, D, 'not a date', false],
  ['DateGreaterThan', NOW, D, undefined, false],
  ['DateGreaterThanEquals', NOW, D, D, true],
  ['DateGreaterThanEquals', NOW, D, '2019-01-01T00:00:00Z', false],
  ['Bool', 'aws:SecureTransport', 'true', 'true', true],
  ['Bool', 'aws:SecureTransport', 'true', 'false', false],
  ['Bool', 'aws:SecureTransport', 'false', 'false', true],
  ['Bool', 'aws:SecureTransport', true, 'true', true],
  ['Bool', 'aws:SecureTransport', false, 'true', false],
  ['Bool', 'aws:SecureTransport', 'true', undefined, false],
  ['Bool', 'aws:MultiFactorAuthPresent', 'false', undefined, false],
  ['BinaryEquals', 'aws:RequestTag/blob', 'QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWU=', true],
  ['BinaryEquals', 'aws:RequestTag/blob', 'QmluYXJ5VmFsdWU=', 'T3RoZXI=', false],
  ['BinaryEquals', 'aws:RequestTag/blob', 'QmluYXJ5VmFsdWU=', undefined, false],
  ['IpAddress', IP, '203.0.113.0/24', '203.0.113.7', true],
  ['IpAddress', IP, '203.0.113.0/24', '203.0.114.7', false],
  ['IpAddress', IP, '203.0.113.7', '203.0.113.7', true],
  ['IpAddress', IP, '203.0.113.7/32', '203.0.113.8', false],
  ['IpAddress', IP, '0.0.0.0/0', '1.2.3.4', true],
  ['IpAddress', IP, '10.0.0.0/8', '10.255.255.255', true],
  ['IpAddress', IP, '10.0.0.0/8', '11.0.0.0', false],
  ['IpAddress', IP, '2001:db8::/32', '2001:db8:1::1', true],
  ['IpAddress', IP, '2001:DB8::/32', '2001:db8::1', true],
  ['IpAddress', IP, '2001:db8::/32', '2001:db9::1', false],
  ['IpAddress', IP, '2001:db8::/32', '203.0.113.7', false],
  ['IpAddress', IP, '203.0.113.0/24', '2001:db8::1', false],
  ['IpAddress', IP, ['203.0.113.0/24', '2001:db8::/32'], '2001:db8::5', true],
  ['IpAddress', IP, '::ffff:203.0.113.0/120', '::ffff:203.0.113.9', true],
  // An IPv4-mapped address (what a socket bound to '::' reports for an IPv4 client) is that IPv4 address.
  ['IpAddress', IP, '203.0.113.0/24', '::ffff:203.0.113.9', true],
  ['IpAddress', IP, '203.0.113.0/24', '::FFFF:cb00:7109', true],
  ['IpAddress', IP, '::ffff:203.0.113.0/120', '203.0.113.9', true],
  ['IpAddress', IP, '::/0', '::ffff:203.0.113.9', false],
  ['IpAddress', IP, '2001:db8::/32', '::ffff:203.0.113.9', false],
  ['NotIpAddress', IP, '203.0.113.0/24', '::ffff:203.0.113.9', false],
  ['IpAddress', IP, '::1/128', '0:0:0:0:0:0:0:1', true],
  ['IpAddress', IP, '10.0.0.0/8', 'not-an-ip', false],
  ['IpAddress', IP, '203.0.113.0/24', undefined, false],
  ['NotIpAddress', IP, '203.0.113.0/24', '203.0.113.7', false],
  ['NotIpAddress', IP, '203.0.113.0/24', '198.51.100.1', true],
  ['NotIpAddress', IP, ['203.0.113.0/24', '198.51.100.0/24'], '198.51.100.1', false],
  ['NotIpAddress', IP, '203.0.113.0/24', undefined, true],
  ['ArnEquals', SRC, userArn('alice'), userArn('alice'), true],
  ['ArnEquals', SRC, userArn('alice'), userArn('Alice'), false],
  ['ArnEquals', SRC, 'arn:aws:iam::*:user/alice', userArn('alice'), true],
  ['ArnLike', SRC, 'arn:aws:iam::*:user/alice', userArn('alice'), true],
  ['ArnLike', SRC, userArn('*'), userArn('alice', '/x/y/'), true],
  ['ArnLike', SRC, 'arn:aws:*:*:*:*', userArn('alice'), true],
  ['ArnLike', SRC, `arn:aws:iam::${ACCOUNT}:*`, 'arn:aws:s3:::bucket', false],
  ['ArnLike', SRC, 'arn:aws:iam::1234*', userArn('alice'), false],
  ['ArnLike', SRC, 'arn:aws:s?s:us-east-1:*:topic', 'arn:aws:sns:us-east-1:123456789012:topic', true],
  ['ArnLike', SRC, userArn('*'), undefined, false],
  ['ArnNotEquals', SRC, userArn('alice'), userArn('alice'), false],
  ['ArnNotEquals', SRC, userArn('alice'), userArn('bob'), true],
  ['ArnNotEquals', SRC, userArn('alice'), undefined, true],
  ['ArnNotLike', SRC, userArn('a*'), userArn('alice'), false],
  ['ArnNotLike', SRC, userArn('a*'), userArn('bob'), true],
  ['ArnNotLike', SRC, userArn('a*'), undefined, true],
  ['Null', 'aws:TokenIssueTime', 'true', undefined, true],
  ['Null', 'aws:TokenIssueTime', 'true', '2020-01-01T00:00:00Z', false],
  ['Null', 'aws:TokenIssueTime', 'false', '2020-01-01T00:00:00Z', true],
  ['Null', 'aws:TokenIssueTime', 'false', undefined, false],
  ['Null', 'aws:TokenIssueTime', true, undefined, true],
  ['Null', KEYS, 'true', [], true],
  ['Null', KEYS, 'false', ['team'], true],
  // ...IfExists: true when the key is absent, otherwise the operator itself.
  ['StringEqualsIfExists', T, 'eng', undefined, true],
  ['StringEqualsIfExists', T, 'eng', 'eng', true],
  ['StringEqualsIfExists', T, 'eng', 'ops', false],
  ['StringNotEqualsIfExists', T, 'eng', undefined, true],
  ['StringNotEqualsIfExists', T, 'eng', 'eng', false],
  ['StringLikeIfExists', T, 'e*', undefined, true],
  ['StringLikeIfExists', T, 'e*', 'ops', false],
  ['StringEqualsIgnoreCaseIfExists', T, 'ENG', undefined, true],
  ['NumericLessThanIfExists', NUM, '10', undefined, true],
  ['NumericLessThanIfExists', NUM, '10', '20', false],
  ['DateLessThanIfExists', NOW, D, undefined, true],
  ['DateLessThanIfExists', NOW, D, '2021-01-01T00:00:00Z', false],
  ['BoolIfExists', 'aws:MultiFactorAuthPresent', 'true', undefined, true],
  ['BoolIfExists', 'aws:MultiFactorAuthPresent', 'true', 'false', false],
  ['BinaryEqualsIfExists', 'aws:RequestTag/blob', 'QmluYXJ5VmFsdWU=', undefined, true],
  ['IpAddressIfExists', IP, '203.0.113.0/24', undefined, true],
  ['IpAddressIfExists', IP, '203.0.113.0/24', '198.51.100.1', false],
  ['NotIpAddressIfExists', IP, '203.0.113.0/24', undefined, true],
  ['NotIpAddressIfExists', IP, '203.0.113.0/24', '203.0.113.1', false],
  ['ArnLikeIfExists', SRC, userArn('*'), undefined, true],
  ['ArnLikeIfExists', SRC, userArn('*'), 'arn:aws:s3:::bucket', false],
  // Set qualifiers for multi-valued keys.
  ['ForAllValues:StringEquals', KEYS, ['team', 'env'], ['team'], true],
  ['ForAllValues:StringEquals', KEYS, ['team', 'env'], ['team', 'env'], true],
  ['ForAllValues:StringEquals', KEYS, ['team', 'env'], ['team', 'owner'], false],
  ['ForAllValues:StringEquals', KEYS, ['team', 'env'], undefined, true],
  ['ForAllValues:StringEquals', KEYS, ['team', 'env'], [], true],
  ['ForAllValues:StringEquals', KEYS, 'a', 'a', true],
  ['ForAllValues:StringEqualsIgnoreCase', KEYS, 'TEAM', ['team', 'Team'], true],
  ['ForAllValues:StringLike', KEYS, 't*', ['team', 'tier'], true],
  ['ForAllValues:StringLike', KEYS, 't*', ['team', 'env'], false],
  ['ForAllValues:StringNotEquals', KEYS, 'secret', ['team', 'env'], true],
  ['ForAllValues:StringNotEquals', KEYS, 'secret', ['team', 'secret'], false],
  ['ForAllValues:StringNotEquals', KEYS, 'secret', undefined, true],
  ['ForAnyValue:StringEquals', KEYS, 'team', ['team', 'owner'], true],
  ['ForAnyValue:StringEquals', KEYS, 'team', ['owner'], false],
  ['ForAnyValue:StringEquals', KEYS, 'team', undefined, false],
  ['ForAnyValue:StringEquals', KEYS, 'team', [], false],
  ['ForAnyValue:StringLike', KEYS, 'e*', ['team', 'env'], true],
  ['ForAnyValue:StringNotEquals', KEYS, 'team', ['team'], false],
  ['ForAnyValue:StringNotEquals', KEYS, 'team', ['team', 'env'], true],
  ['ForAnyValue:StringNotEquals', KEYS, 'team', undefined, false],
  ['ForAnyValue:StringEqualsIfExists', KEYS, 'team', undefined, true],
  ['ForAllValues:StringEqualsIfExists', KEYS, 'team', ['env'], false],
  ['ForAnyValue:ArnLike', 'aws:PrincipalServiceNamesList', 'arn:aws:s3:::*', ['arn:aws:s3:::b', 'x'], true],
  ['ForAnyValue:IpAddress', IP, '10.0.0.0/8', ['192.168.0.1', '10.1.2.3'], true],
  // Without a qualifier a multi-valued key holds if any of its values matches.
  ['StringEquals', KEYS, 'team', ['team', 'env'], true],
  ['StringNotEquals', KEYS, 'team', ['team', 'env'], false],
];
for (const [operator, key, values, context, holds, contextKey = key] of CONDITIONS) {
  const condition = { Condition: { [operator]: { [key]: values } } };
  const request = { context: context === undefined ? {} : { [contextKey]: context } };
  const label = `${operator} ${key}=${JSON.stringify(values)} with ${context === undefined ? 'the key missing' : JSON.stringify(context)}`;
  cases.push({ name: `${label} ${holds ? 'holds' : 'fails'}`, policies: [[allow('iam:GetUser', '*', condition)]], request, expected: holds ? 'allowed' : 'implicitDeny' });
  cases.push({ name: `Deny on ${label} ${holds ? 'denies' : 'spares'}`, policies: [[allow('*'), deny('iam:GetUser', '*', condition)]], request, expected: holds ? 'explicitDeny' : 'allowed' });
}

// Keys are case-insensitive on both sides; values are not.
cases.push(
  { name: 'condition key written in lower case matches a mixed-case context key', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:requesttag/team': 'eng' } } })]], request: { context: { 'AWS:RequestTag/Team': 'eng' } }, expected: 'allowed' },
  { name: 'condition value case still matters when keys differ in case', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:requesttag/team': 'eng' } } })]], request: { context: { 'AWS:RequestTag/Team': 'ENG' } }, expected: 'implicitDeny' },
  { name: 'several keys under one operator: all must hold', policies: [[allow('*', '*', { Condition: { StringEquals: { [T]: 'eng', 'aws:RequestTag/env': 'prod' } } })]], request: { context: { [T]: 'eng', 'aws:RequestTag/env': 'prod' } }, expected: 'allowed' },
  { name: 'several keys under one operator: one failing fails', policies: [[allow('*', '*', { Condition: { StringEquals: { [T]: 'eng', 'aws:RequestTag/env': 'prod' } } })]], request: { context: { [T]: 'eng', 'aws:RequestTag/env': 'dev' } }, expected: 'implicitDeny' },
  { name: 'several operators: all must hold', policies: [[allow('*', '*', { Condition: { StringEquals: { [T]: 'eng' }, Bool: { 'aws:SecureTransport': 'true' } } })]], request: { context: { [T]: 'eng', 'aws:SecureTransport': 'true' } }, expected: 'allowed' },
  { name: 'several operators: one failing fails', policies: [[allow('*', '*', { Condition: { StringEquals: { [T]: 'eng' }, Bool: { 'aws:SecureTransport': 'true' } } })]], request: { context: { [T]: 'eng', 'aws:SecureTransport': 'false' } }, expected: 'implicitDeny' },
  { name: 'an empty Condition block holds', policies: [[allow('*', '*', { Condition: {} })]], request: {}, expected: 'allowed' },
  { name: 'a date window holds inside it', policies: [[allow('*', '*', { Condition: { DateGreaterThan: { [NOW]: '2017-07-01T00:00:00Z' }, DateLessThan: { [NOW]: '2017-12-31T23:59:59Z' } } })]], request: { context: { [NOW]: '2017-09-01T12:00:00Z' } }, expected: 'allowed' },
  { name: 'a date window fails outside it', policies: [[allow('*', '*', { Condition: { DateGreaterThan: { [NOW]: '2017-07-01T00:00:00Z' }, DateLessThan: { [NOW]: '2017-12-31T23:59:59Z' } } })]], request: { context: { [NOW]: '2018-01-01T00:00:00Z' } }, expected: 'implicitDeny' },
  { name: 'Deny unless MFA (BoolIfExists false) denies without MFA info', policies: [[allow('*'), deny('*', '*', { Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } })]], request: {}, expected: 'explicitDeny' },
  { name: 'Deny unless MFA (BoolIfExists false) spares an MFA session', policies: [[allow('*'), deny('*', '*', { Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } })]], request: { context: { 'aws:MultiFactorAuthPresent': 'true' } }, expected: 'allowed' },
);

// Keys the engine derives from the principal.
const derived: [key: string, value: string, principal: Principal, holds: boolean][] = [
  ['aws:username', 'alice', ALICE, true],
  ['aws:username', 'bob', ALICE, false],
  ['aws:userid', 'AIDAALICE0000000000', ALICE, true],
  ['aws:PrincipalAccount', ACCOUNT, ALICE, true],
  ['aws:PrincipalAccount', '999999999999', ALICE, false],
  ['aws:PrincipalArn', userArn('alice'), ALICE, true],
  ['aws:PrincipalTag/team', 'eng', { ...ALICE, tags: { team: 'eng' } }, true],
  ['aws:PrincipalTag/TEAM', 'eng', { ...ALICE, tags: { Team: 'eng' } }, true],
  ['aws:PrincipalTag/team', 'eng', ALICE, false],
  ['aws:username', 'alice', ROOT, false],
];
for (const [key, value, principal, holds] of derived) {
  cases.push({ name: `derived ${key}=${value} for ${principal.arn} ${holds ? 'holds' : 'fails'}`, policies: [[allow('*', '*', { Condition: { StringEquals: { [key]: value } } })]], request: { principal }, expected: holds ? 'allowed' : 'implicitDeny' });
}
cases.push(
  { name: 'the request context cannot override aws:username', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:username': 'bob' } } })]], request: { context: { 'aws:username': 'bob' } }, expected: 'implicitDeny' },
  { name: 'ArnLike on aws:PrincipalArn', policies: [[allow('*', '*', { Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } } })]], request: {}, expected: 'allowed' },
  { name: 'Null on aws:username for root', policies: [[allow('*', '*', { Condition: { Null: { 'aws:username': 'true' } } })]], request: { principal: ROOT }, expected: 'allowed' },
);

// --- Policy variables --------------------------------------------------------------------------------
const SELF = `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`;
cases.push(
  { name: 'variable in Resource: own user', policies: [[allow('iam:*', SELF)]], request: { resource: userArn('alice') }, expected: 'allowed' },
  { name: 'variable in Resource: another user', policies: [[allow('iam:*', SELF)]], request: { resource: userArn('bob') }, expected: 'implicitDeny' },
  { name: 'variable in Resource: own name under a path does not match the path-less form', policies: [[allow('iam:*', SELF)]], request: { resource: userArn('alice', '/eng/') }, expected: 'implicitDeny' },
  { name: 'variable in Resource: value is not a prefix match', policies: [[allow('iam:*', SELF)]], request: { resource: userArn('alice2') }, expected: 'implicitDeny' },
  { name: 'variable name is case-insensitive', policies: [[allow('iam:*', `arn:aws:iam::${ACCOUNT}:user/\${AWS:UserName}`)]], request: { resource: userArn('alice') }, expected: 'allowed' },
  { name: 'variable with no value matches nothing (root has no aws:username)', policies: [[allow('iam:*', SELF)]], request: { principal: ROOT, resource: userArn('alice') }, expected: 'implicitDeny' },
  { name: 'variable with no value in NotResource excludes nothing', policies: [[{ Effect: 'Allow', Action: 'iam:*', NotResource: SELF }]], request: { principal: ROOT, resource: userArn('alice') }, expected: 'allowed' },
  { name: 'variable in NotResource excludes self', policies: [[{ Effect: 'Allow', Action: 'iam:*', NotResource: SELF }]], request: { resource: userArn('alice') }, expected: 'implicitDeny' },
  { name: 'variable in Deny resource denies self', policies: [[allow('*'), deny('iam:DeleteUser', SELF)]], request: { action: 'iam:DeleteUser', resource: userArn('alice') }, expected: 'explicitDeny' },
  { name: 'variable in Deny resource spares others', policies: [[allow('*'), deny('iam:DeleteUser', SELF)]], request: { action: 'iam:DeleteUser', resource: userArn('bob') }, expected: 'allowed' },
  { name: '${aws:PrincipalAccount} in Resource', policies: [[allow('iam:*', 'arn:aws:iam::${aws:PrincipalAccount}:user/*')]], request: {}, expected: 'allowed' },
  { name: '${aws:PrincipalAccount} does not match another account', policies: [[allow('iam:*', 'arn:aws:iam::${aws:PrincipalAccount}:user/*')]], request: { resource: 'arn:aws:iam::999999999999:user/alice' }, expected: 'implicitDeny' },
  { name: '${aws:userid} in Resource', policies: [[allow('s3:*', 'arn:aws:s3:::home/${aws:userid}/*')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::home/AIDAALICE0000000000/doc' }, expected: 'allowed' },
  { name: '${aws:PrincipalTag/team} in Resource', policies: [[allow('s3:*', 'arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/eng/x', principal: { ...ALICE, tags: { team: 'eng' } } }, expected: 'allowed' },
  { name: 'a substituted value is literal, not a wildcard', policies: [[allow('s3:*', 'arn:aws:s3:::bucket/${aws:PrincipalTag/team}')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/x', principal: { ...ALICE, tags: { team: '*' } } }, expected: 'implicitDeny' },
  { name: 'a substituted "*" matches itself', policies: [[allow('s3:*', 'arn:aws:s3:::bucket/${aws:PrincipalTag/team}')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/*', principal: { ...ALICE, tags: { team: '*' } } }, expected: 'allowed' },
  { name: "default value used when the key is absent", policies: [[allow('s3:*', "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*")]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/company-wide/x' }, expected: 'allowed' },
  { name: "default value ignored when the key is present", policies: [[allow('s3:*', "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*")]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/company-wide/x', principal: { ...ALICE, tags: { team: 'eng' } } }, expected: 'implicitDeny' },
  { name: "default value with an escaped quote", policies: [[allow('s3:*', "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'o''brien'}")]], request: { action: 's3:GetObject', resource: "arn:aws:s3:::bucket/o'brien" }, expected: 'allowed' },
  { name: '${*} is a literal asterisk', policies: [[allow('s3:*', 'arn:aws:s3:::bucket/${*}')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/*' }, expected: 'allowed' },
  { name: '${*} is not a wildcard', policies: [[allow('s3:*', 'arn:aws:s3:::bucket/${*}')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/x' }, expected: 'implicitDeny' },
  { name: '${?} is a literal question mark', policies: [[allow('s3:*', 'arn:aws:s3:::bucket/a${?}')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/a?' }, expected: 'allowed' },
  { name: '${?} is not a wildcard', policies: [[allow('s3:*', 'arn:aws:s3:::bucket/a${?}')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/ab' }, expected: 'implicitDeny' },
  { name: '${$} is a literal dollar', policies: [[allow('s3:*', 'arn:aws:s3:::bucket/${$}{aws:username}')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/${aws:username}' }, expected: 'allowed' },
  { name: 'unterminated ${ is text', policies: [[allow('s3:*', 'arn:aws:s3:::bucket/${aws:username')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/${aws:username' }, expected: 'allowed' },
  { name: 'Version 2008-10-17: variables are literal text (no match on the name)', version: '2008-10-17', policies: [[allow('iam:*', SELF)]], request: { resource: userArn('alice') }, expected: 'implicitDeny' },
  { name: 'Version 2008-10-17: variables are literal text (match on the text)', version: '2008-10-17', policies: [[allow('iam:*', SELF)]], request: { resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` }, expected: 'allowed' },
  { name: 'no Version: variables are literal text', version: null, policies: [[allow('iam:*', SELF)]], request: { resource: userArn('alice') }, expected: 'implicitDeny' },
  { name: 'no Version: ${*} is a literal "${" then a wildcard', version: null, policies: [[allow('s3:*', 'arn:aws:s3:::bucket/${*}')]], request: { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/${x}' }, expected: 'allowed' },
  { name: 'variable in a condition value', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } } })]], request: { context: { 'aws:ResourceTag/owner': 'alice' } }, expected: 'allowed' },
  { name: 'variable in a condition value: other owner', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } } })]], request: { context: { 'aws:ResourceTag/owner': 'bob' } }, expected: 'implicitDeny' },
  { name: 'variable with no value in a condition value matches nothing', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } } })]], request: { principal: ROOT, context: { 'aws:ResourceTag/owner': '' } }, expected: 'implicitDeny' },
  { name: 'variable with no value under a negated operator excludes nothing', policies: [[allow('*', '*', { Condition: { StringNotEquals: { 'aws:ResourceTag/owner': '${aws:username}' } } })]], request: { principal: ROOT, context: { 'aws:ResourceTag/owner': 'alice' } }, expected: 'allowed' },
  { name: 'variable in StringLike keeps the surrounding wildcard', policies: [[allow('s3:ListBucket', '*', { Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } } })]], request: { action: 's3:ListBucket', resource: '*', context: { 's3:prefix': 'home/alice/docs' } }, expected: 'allowed' },
  { name: 'variable in StringLike: another home', policies: [[allow('s3:ListBucket', '*', { Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } } })]], request: { action: 's3:ListBucket', resource: '*', context: { 's3:prefix': 'home/bob/docs' } }, expected: 'implicitDeny' },
  { name: 'tag-based access: principal tag equals resource tag', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } })]], request: { principal: { ...ALICE, tags: { team: 'eng' } }, context: { 'aws:ResourceTag/team': 'eng' } }, expected: 'allowed' },
  { name: 'tag-based access: different team', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } })]], request: { principal: { ...ALICE, tags: { team: 'eng' } }, context: { 'aws:ResourceTag/team': 'ops' } }, expected: 'implicitDeny' },
  { name: 'variable from the request context (aws:SourceIp)', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:RequestTag/ip': '${aws:SourceIp}' } } })]], request: { context: { 'aws:SourceIp': '203.0.113.7', 'aws:RequestTag/ip': '203.0.113.7' } }, expected: 'allowed' },
  { name: 'a multi-valued key has no value as a variable', policies: [[allow('*', '*', { Condition: { StringEquals: { [T]: '${aws:TagKeys}' } } })]], request: { context: { [KEYS]: ['team', 'env'], [T]: 'team' } }, expected: 'implicitDeny' },
  { name: '${*} in StringEquals is a literal asterisk', policies: [[allow('*', '*', { Condition: { StringEquals: { [T]: 'a${*}b' } } })]], request: { context: { [T]: 'a*b' } }, expected: 'allowed' },
  { name: '${*} in StringLike is not a wildcard', policies: [[allow('*', '*', { Condition: { StringLike: { [T]: 'a${*}b' } } })]], request: { context: { [T]: 'axb' } }, expected: 'implicitDeny' },
  { name: '${*} in StringLike matches an asterisk', policies: [[allow('*', '*', { Condition: { StringLike: { [T]: 'a${*}b' } } })]], request: { context: { [T]: 'a*b' } }, expected: 'allowed' },
  { name: 'Version 2008-10-17: condition variables are literal', version: '2008-10-17', policies: [[allow('*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } } })]], request: { context: { 'aws:ResourceTag/owner': 'alice' } }, expected: 'implicitDeny' },
);

// --- AWS managed policies -------------------------------------------------------------------------------
const managed = (name: string): Json[] => {
  const found = AWS_MANAGED_POLICIES.get(`arn:aws:iam::aws:policy/${name}`)!;
  return (JSON.parse(found.documentText) as { Statement: Json[] }).Statement;
};
const user = (name: string, path = '/'): Principal => ({ arn: userArn(name, path), accountId: ACCOUNT, userName: name });
const changePassword: [string, Partial<RequestContext>, Decision][] = [
  ['ChangePassword on itself', { action: 'iam:ChangePassword', resource: userArn('alice'), principal: user('alice') }, 'allowed'],
  ['ChangePassword on itself with a path', { action: 'iam:ChangePassword', resource: userArn('alice', '/division/'), principal: user('alice', '/division/') }, 'allowed'],
  ['ChangePassword on itself with a deep path', { action: 'iam:ChangePassword', resource: userArn('alice', '/a/b/c/'), principal: user('alice', '/a/b/c/') }, 'allowed'],
  ['ChangePassword on another user', { action: 'iam:ChangePassword', resource: userArn('bob'), principal: user('alice') }, 'implicitDeny'],
  ['ChangePassword on another user with a path', { action: 'iam:ChangePassword', resource: userArn('bob', '/division/'), principal: user('alice', '/division/') }, 'implicitDeny'],
  ['ChangePassword on a longer name', { action: 'iam:ChangePassword', resource: userArn('alice2'), principal: user('alice') }, 'implicitDeny'],
  ['ChangePassword on a shorter name', { action: 'iam:ChangePassword', resource: userArn('alic'), principal: user('alice') }, 'implicitDeny'],
  ['ChangePassword with a name-case difference', { action: 'iam:ChangePassword', resource: userArn('Alice'), principal: user('alice') }, 'implicitDeny'],
  ['ChangePassword by the root user', { action: 'iam:ChangePassword', resource: userArn('alice'), principal: ROOT }, 'implicitDeny'],
  ['GetAccountPasswordPolicy', { action: 'iam:GetAccountPasswordPolicy', resource: '*', principal: user('alice') }, 'allowed'],
  ['GetAccountPasswordPolicy with a path', { action: 'iam:GetAccountPasswordPolicy', resource: '*', principal: user('alice', '/division/') }, 'allowed'],
  ['UpdateLoginProfile on itself', { action: 'iam:UpdateLoginProfile', resource: userArn('alice'), principal: user('alice') }, 'implicitDeny'],
  ['GetUser on itself', { action: 'iam:GetUser', resource: userArn('alice'), principal: user('alice') }, 'implicitDeny'],
];
for (const [name, request, expected] of changePassword) {
  cases.push({ name: `IAMUserChangePassword: ${name}`, policies: [managed('IAMUserChangePassword')], request, expected });
}
const others: [policyName: string, action: string, resource: string, expected: Decision][] = [
  ['IAMReadOnlyAccess', 'iam:GetUser', userArn('bob'), 'allowed'],
  ['IAMReadOnlyAccess', 'iam:ListUsers', '*', 'allowed'],
  ['IAMReadOnlyAccess', 'iam:getuser', userArn('bob'), 'allowed'],
  ['IAMReadOnlyAccess', 'iam:GenerateCredentialReport', '*', 'allowed'],
  ['IAMReadOnlyAccess', 'iam:CreateUser', userArn('bob'), 'implicitDeny'],
  ['IAMReadOnlyAccess', 'iam:UpdateLoginProfile', userArn('bob'), 'implicitDeny'],
  ['IAMReadOnlyAccess', 's3:GetObject', 'arn:aws:s3:::b/k', 'implicitDeny'],
  ['IAMFullAccess', 'iam:CreateUser', userArn('bob'), 'allowed'],
  ['IAMFullAccess', 'iam:UpdateLoginProfile', userArn('bob'), 'allowed'],
  ['IAMFullAccess', 'organizations:ListRoots', '*', 'allowed'],
  ['IAMFullAccess', 'organizations:CreateAccount', '*', 'implicitDeny'],
  ['IAMFullAccess', 's3:GetObject', 'arn:aws:s3:::b/k', 'implicitDeny'],
  ['AdministratorAccess', 'iam:DeleteUser', userArn('bob'), 'allowed'],
  ['AdministratorAccess', 's3:GetObject', 'arn:aws:s3:::b/k', 'allowed'],
  ['AdministratorAccess', 'iam:GetAccountPasswordPolicy', '*', 'allowed'],
];
for (const [policyName, action, resource, expected] of others) {
  cases.push({ name: `${policyName}: ${action} on ${resource}`, policies: [managed(policyName)], request: { action, resource }, expected });
}

// --- Deny precedence across policies ------------------------------------------------------------------
cases.push(
  { name: 'no policies: implicit deny', policies: [], request: {}, expected: 'implicitDeny' },
  { name: 'Allow in one policy, Deny in another: explicit deny', policies: [[allow('iam:*')], [deny('iam:GetUser')]], request: {}, expected: 'explicitDeny' },
  { name: 'Deny first, Allow later: still explicit deny', policies: [[deny('iam:GetUser')], [allow('*')]], request: {}, expected: 'explicitDeny' },
  { name: 'Deny and Allow in one policy', policies: [[allow('*'), deny('iam:*', userArn('alice'))]], request: {}, expected: 'explicitDeny' },
  { name: 'only a Deny: explicit deny', policies: [[deny('*')]], request: {}, expected: 'explicitDeny' },
  { name: 'Deny for another action does not deny', policies: [[allow('*')], [deny('iam:DeleteUser')]], request: {}, expected: 'allowed' },
  { name: 'Deny for another resource does not deny', policies: [[allow('*')], [deny('*', userArn('bob'))]], request: {}, expected: 'allowed' },
  { name: 'Deny whose condition fails does not deny', policies: [[allow('*')], [deny('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]], request: { context: { 'aws:SecureTransport': 'true' } }, expected: 'allowed' },
  { name: 'Allow whose condition fails does not allow', policies: [[allow('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } })]], request: { context: { 'aws:SecureTransport': 'false' } }, expected: 'implicitDeny' },
  { name: 'one Allow among several policies is enough', policies: [[allow('s3:*')], [allow('iam:Get*')], [allow('ec2:*')]], request: {}, expected: 'allowed' },
  { name: 'a broad Deny beats a narrow Allow', policies: [[allow('iam:GetUser', userArn('alice'))], [deny('iam:*', userArn('*'))]], request: {}, expected: 'explicitDeny' },
  { name: 'an Allow statement list with one match', policies: [[allow('s3:*'), allow('iam:GetUser'), allow('ec2:*')]], request: {}, expected: 'allowed' },
);

// --- Permissions boundary --------------------------------------------------------------------------------
cases.push(
  { name: 'boundary allows too: allowed', policies: [[allow('iam:*')]], boundary: [[allow('iam:GetUser')]], request: {}, expected: 'allowed' },
  { name: 'boundary allows another action: implicit deny', policies: [[allow('iam:*')]], boundary: [[allow('iam:ListUsers')]], request: {}, expected: 'implicitDeny' },
  { name: 'boundary allows but no identity policy does: implicit deny', policies: [], boundary: [[allow('*')]], request: {}, expected: 'implicitDeny' },
  { name: 'boundary allows but identity policy allows another action: implicit deny', policies: [[allow('s3:*')]], boundary: [[allow('*')]], request: {}, expected: 'implicitDeny' },
  { name: 'explicit Deny in the boundary denies', policies: [[allow('*')]], boundary: [[allow('*'), deny('iam:GetUser')]], request: {}, expected: 'explicitDeny' },
  { name: 'explicit Deny in the boundary alone denies', policies: [[allow('*')]], boundary: [[deny('iam:GetUser')]], request: {}, expected: 'explicitDeny' },
  { name: 'identity Deny with a boundary Allow: explicit deny', policies: [[deny('*')]], boundary: [[allow('*')]], request: {}, expected: 'explicitDeny' },
  { name: 'boundary intersection: iam:Get* inside', policies: [[allow('*')]], boundary: [[allow('iam:Get*')]], request: { action: 'iam:GetUser' }, expected: 'allowed' },
  { name: 'boundary intersection: iam:DeleteUser outside', policies: [[allow('*')]], boundary: [[allow('iam:Get*')]], request: { action: 'iam:DeleteUser' }, expected: 'implicitDeny' },
  { name: 'an empty boundary allows nothing', policies: [[allow('*')]], boundary: [], request: {}, expected: 'implicitDeny' },
  { name: 'boundary whose condition fails: implicit deny', policies: [[allow('*')]], boundary: [[allow('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } })]], request: {}, expected: 'implicitDeny' },
  { name: 'boundary whose condition holds: allowed', policies: [[allow('*')]], boundary: [[allow('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } })]], request: { context: { 'aws:SecureTransport': 'true' } }, expected: 'allowed' },
  { name: 'boundary with a variable: self', policies: [[allow('*')]], boundary: [[allow('iam:ChangePassword', SELF)]], request: { action: 'iam:ChangePassword', resource: userArn('alice') }, expected: 'allowed' },
  { name: 'boundary with a variable: other user', policies: [[allow('*')]], boundary: [[allow('iam:ChangePassword', SELF)]], request: { action: 'iam:ChangePassword', resource: userArn('bob') }, expected: 'implicitDeny' },
  { name: 'boundary with NotAction', policies: [[allow('*')]], boundary: [[{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]], request: { action: 'iam:GetUser' }, expected: 'implicitDeny' },
  { name: 'boundary of several policies: any Allow counts', policies: [[allow('*')]], boundary: [[allow('s3:*')], [allow('iam:GetUser')]], request: {}, expected: 'allowed' },
);

// --- The request time: aws:CurrentTime and aws:EpochTime derived from `now`; a context key wins ---
const before2020 = { Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } };
const epochBefore2020 = { Condition: { NumericLessThan: { 'aws:EpochTime': '1577836800' } } };
cases.push(
  { name: 'time: aws:CurrentTime from now (2019)', policies: [[allow('*', '*', before2020)]], request: { now: new Date('2019-06-01T00:00:00Z') }, expected: 'allowed' },
  { name: 'time: aws:CurrentTime from now (2021)', policies: [[allow('*', '*', before2020)]], request: { now: new Date('2021-06-01T00:00:00Z') }, expected: 'implicitDeny' },
  { name: 'time: aws:EpochTime from now (2019)', policies: [[allow('*', '*', epochBefore2020)]], request: { now: new Date('2019-06-01T00:00:00Z') }, expected: 'allowed' },
  { name: 'time: aws:EpochTime from now (2021)', policies: [[allow('*', '*', epochBefore2020)]], request: { now: new Date('2021-06-01T00:00:00Z') }, expected: 'implicitDeny' },
  {
    name: 'time: a context aws:CurrentTime wins over now',
    policies: [[allow('*', '*', before2020)]],
    request: { now: new Date('2021-06-01T00:00:00Z'), context: { 'aws:CurrentTime': '2019-06-01T00:00:00Z' } },
    expected: 'allowed',
  },
  { name: 'time: neither now nor a context key: the key is absent', policies: [[allow('*', '*', before2020)]], request: {}, expected: 'implicitDeny' },
);

describe('policy evaluation', () => {
  it('has several hundred cases with unique names', () => {
    expect(cases.length).toBeGreaterThan(300);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)('$name', (c) => {
    expect(run(c).decision).toBe(c.expected);
  });
});

describe('matched statements', () => {
  const request: RequestContext = { action: 'iam:GetUser', resource: userArn('alice'), principal: ALICE };

  it('reports every applicable statement, with policy id, index, Sid and effect, in order', () => {
    const result = evaluate(request, [
      policy('inline:a', [allow('s3:*'), { Sid: 'ReadIam', ...allow('iam:Get*') }]),
      policy('arn:aws:iam::123456789012:policy/b', [deny('iam:GetUser', userArn('alice')), allow('*')]),
    ]);
    expect(result).toEqual({
      decision: 'explicitDeny',
      matched: [
        { policyId: 'inline:a', statementIndex: 1, sid: 'ReadIam', effect: 'Allow' },
        { policyId: 'arn:aws:iam::123456789012:policy/b', statementIndex: 0, effect: 'Deny' },
        { policyId: 'arn:aws:iam::123456789012:policy/b', statementIndex: 1, effect: 'Allow' },
      ],
      deniedBy: 'identity',
    });
  });

  it('omits sid when the statement has none', () => {
    const [first] = evaluate(request, [policy('p', [allow('*')])]).matched;
    expect(first).toEqual({ policyId: 'p', statementIndex: 0, effect: 'Allow' });
    expect(first && 'sid' in first).toBe(false);
  });

  it('lists boundary statements after identity statements', () => {
    const result = evaluate(request, [policy('identity', [allow('*')])], [policy('boundary', [{ Sid: 'Cap', ...allow('iam:*') }])]);
    expect(result).toEqual({
      decision: 'allowed',
      matched: [
        { policyId: 'identity', statementIndex: 0, effect: 'Allow' },
        { policyId: 'boundary', statementIndex: 0, sid: 'Cap', effect: 'Allow' },
      ],
    });
  });

  it('reports identity statements even when the boundary stops them', () => {
    const result = evaluate(request, [policy('identity', [allow('*')])], [policy('boundary', [allow('s3:*')])]);
    expect(result).toEqual({ decision: 'implicitDeny', matched: [{ policyId: 'identity', statementIndex: 0, effect: 'Allow' }], deniedBy: 'boundary' });
  });

  it('is empty when nothing applies', () => {
    expect(evaluate(request, [policy('p', [allow('s3:*'), deny('ec2:*')])])).toEqual({ decision: 'implicitDeny', matched: [], deniedBy: 'identity' });
  });

  it('names which policies denied: an explicit Deny in the identity policies, then in the boundary; else identity, then boundary', () => {
    const by = (identity: Json[], boundary?: Json[]) => {
      const r = evaluate(request, [policy('i', identity)], boundary && [policy('b', boundary)]);
      return [r.decision, r.deniedBy];
    };
    expect(by([deny('*')], [deny('*')])).toEqual(['explicitDeny', 'identity']);
    expect(by([allow('*')], [deny('*')])).toEqual(['explicitDeny', 'boundary']);
    expect(by([allow('s3:*')], [deny('*')])).toEqual(['explicitDeny', 'boundary']);
    expect(by([allow('s3:*')], [allow('s3:*')])).toEqual(['implicitDeny', 'identity']);
    expect(by([allow('*')], [allow('s3:*')])).toEqual(['implicitDeny', 'boundary']);
    expect(by([allow('*')], [allow('*')])).toEqual(['allowed', undefined]);
    expect(by([allow('*')])).toEqual(['allowed', undefined]);
  });

  it('does not report statements whose condition fails', () => {
    const result = evaluate(request, [policy('p', [allow('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }), allow('iam:*')])]);
    expect(result.matched).toEqual([{ policyId: 'p', statementIndex: 1, effect: 'Allow' }]);
  });
});

describe('AWS managed policies', () => {
  it('ships the whole catalogue, every document readable', () => {
    const arns = [...AWS_MANAGED_POLICIES.keys()];
    expect(arns.length).toBeGreaterThan(1000);
    expect(arns).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::aws:policy/AdministratorAccess',
        'arn:aws:iam::aws:policy/IAMFullAccess',
        'arn:aws:iam::aws:policy/IAMReadOnlyAccess',
        'arn:aws:iam::aws:policy/IAMUserChangePassword',
        'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
      ]),
    );
    const names = new Set<string>();
    for (const p of AWS_MANAGED_POLICIES.values()) {
      expect(p.arn).toBe(`arn:aws:iam::aws:policy${p.path}${p.name}`);
      expect(p.path).toMatch(/^\/(?:[\w-]+\/)*$/);
      expect(p.versionId).toMatch(/^v\d+$/);
      expect(p.updateDate.getTime()).toBeGreaterThanOrEqual(p.createDate.getTime());
      expect(p.document.Version).toBe('2012-10-17');
      expect(names.has(p.name)).toBe(false);
      names.add(p.name);
    }
  });

  it('keeps the reference text of IAMUserChangePassword (both user ARN forms)', () => {
    const p = AWS_MANAGED_POLICIES.get('arn:aws:iam::aws:policy/IAMUserChangePassword')!;
    expect(p.versionId).toMatch(/^v\d+$/);
    expect(p.description).toBe('Provides the ability for an IAM user to change their own password.');
    expect(parsePolicyDocument(p.documentText)).toEqual(p.document);
    expect(p.document).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:ChangePassword'], Resource: ['arn:aws:iam::*:user/${aws:username}', 'arn:aws:iam::*:user/*/${aws:username}'] },
        { Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy'], Resource: ['*'] },
      ],
    });
  });
});

describe('wildcard matching (an automaton and a segment search, not regular expressions)', () => {
  // The regular expressions the matchers replaced: the reference for their meaning.
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const regex = (pattern: Pattern, wildcard: (kind: '*' | '?', i: number) => string, flags: string) =>
    new RegExp(`^${pattern.map((p, i) => (typeof p === 'string' ? escape(p) : wildcard(p.wildcard, i))).join('')}$`, flags);
  const reference = {
    action: (p: Pattern) => regex(p, (k) => (k === '*' ? '.*' : '.'), 'is'),
    like: (p: Pattern) => regex(p, (k) => (k === '*' ? '.*' : '.'), 's'),
    resource: (p: Pattern) =>
      regex(
        p,
        (k, i) => {
          if (k === '?') return '[^:]';
          const next = p[i + 1];
          return next === undefined || (typeof next === 'string' && next.startsWith(':')) ? '.*' : '[^:]*';
        },
        's',
      ),
    arn: (p: Pattern) => {
      let colons = 0;
      const source = p.map((piece) => {
        if (typeof piece === 'string') {
          colons += piece.split(':').length - 1;
          return escape(piece);
        }
        if (colons >= 5) return piece.wildcard === '*' ? '.*' : '.';
        return piece.wildcard === '*' ? '[^:]*' : '[^:]';
      });
      return new RegExp(`^${source.join('')}$`, 's');
    },
  };
  const matchers = { action: actionMatcher, like: stringLikeMatcher, resource: resourceMatcher, arn: arnMatcher };
  const text = (max: number) => fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', ':', '/', '*', '?', 'é', 'É', 'ı', '\n'), maxLength: max });

  it('agrees with the regular expressions it replaced, on every kind of pattern', () => {
    fc.assert(
      fc.property(fc.constantFrom('action', 'like', 'resource', 'arn') as fc.Arbitrary<keyof typeof matchers>, text(10), text(14), (kind, raw, value) => {
        const pattern = resolvePattern(raw, undefined)!;
        expect(matchers[kind](pattern).test(value)).toBe(reference[kind](pattern).test(value));
      }),
      { numRuns: 4000 },
    );
  });

  it('matches many wildcards against a long near-miss in work proportional to their sizes (a regular expression took over a minute)', () => {
    const value = 'a'.repeat(2000);
    for (const [kind, pattern] of [
      ['like', `${'a*'.repeat(60)}b`],
      ['resource', `arn:${'a*'.repeat(60)}b`], // '*' inside an ARN segment: the automaton
      ['arn', `${'*a'.repeat(60)}b`],
    ] as const) {
      const budget = new WorkBudget(1e9);
      expect(matchers[kind](resolvePattern(pattern, undefined)!).test(value, budget)).toBe(false);
      expect(budget.spent).toBeLessThanOrEqual(value.length * (pattern.length + 1) + 100);
    }
  });

  it('stops at the budget: an evaluation that needs more throws WorkLimitExceeded', () => {
    const doc = policy('p', [allow('*', '*', { Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': Array.from({ length: 500 }, (_, i) => `*a*b*${i}`) } } })]);
    const request: RequestContext = { action: 'iam:TagUser', resource: userArn('alice'), principal: ALICE, context: { 'aws:TagKeys': Array.from({ length: 500 }, (_, i) => `ab${'a'.repeat(100)}${i}x`) } };
    expect(() => evaluate(request, [doc], undefined, new WorkBudget(100_000))).toThrow(WorkLimitExceeded);
    expect(evaluate(request, [doc], undefined, new WorkBudget(1e10)).decision).toBe('implicitDeny');
  });
});
