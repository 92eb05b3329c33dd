import { describe, expect, it } from 'vitest';
import { IamError } from '../src/domain/errors.js';
import { parsePolicyDocument } from '../src/domain/policy/document.js';
import { MalformedPolicyDocumentError } from '../src/domain/policy/malformed.js';
import { parseConditionDate } from '../src/domain/policy/dates.js';

// The messages are AWS's (see src/domain/policy/malformed.ts); `detail` is iamd's own account of
// the fault, checked here so each case proves which rule fired.

const V = '2012-10-17';
const ok = { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::example_bucket' };
const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: V, Statement: statement, ...extra });

function failure(text: string, options?: Parameters<typeof parsePolicyDocument>[1]) {
  try {
    parsePolicyDocument(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(IamError);
    expect(e).toBeInstanceOf(MalformedPolicyDocumentError);
    const error = e as MalformedPolicyDocumentError;
    expect({ code: error.code, status: error.status, type: error.type }).toEqual({ code: 'MalformedPolicyDocument', status: 400, type: 'Sender' });
    return { message: error.message, detail: error.detail };
  }
  throw new Error('expected MalformedPolicyDocument');
}

const SYNTAX = 'Syntax errors in policy.';
const LEGACY = 'The policy failed legacy parsing';
const NO_ACTIONS = 'Policy statement must contain actions.';
const NO_RESOURCES = 'Policy statement must contain resources.';
const NO_VENDOR = 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
const IAM_PATH =
  'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, ' +
  'server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.';

const INVALID: [name: string, text: string, message: string, detail?: RegExp][] = [
  ['not JSON', 'This is not a json document', SYNTAX, /not JSON/],
  ['truncated JSON', '{"Version": "2012-10-17", "Statement": [', SYNTAX, /not JSON/],
  ['a JSON array', '[]', SYNTAX, /not a JSON object/],
  ['a JSON string', '"policy"', SYNTAX, /not a JSON object/],
  ['null', 'null', SYNTAX, /not a JSON object/],
  ['missing Statement', JSON.stringify({ Version: V }), SYNTAX, /Statement is missing/],
  ['Statement is a string', doc('afd'), SYNTAX, /object or an array/],
  ['Statement array holds a string', doc(['afd']), SYNTAX, /statement 1 is not an object/],
  ['empty Statement array', doc([]), SYNTAX, /empty/],
  ['unknown top-level element', doc(ok, { 'Extra field': 'value' }), SYNTAX, /unknown element "Extra field"/],
  ['top-level element in the wrong case', JSON.stringify({ version: V, Statement: ok }), SYNTAX, /unknown element "version"/],
  ['unknown statement element', doc({ ...ok, 'Extra field': 'value' }), SYNTAX, /statement 1: unknown element "Extra field"/],
  ['misspelt Action', doc({ Effect: 'Allow', Actions: 's3:*', Resource: '*' }), SYNTAX, /unknown element "Actions"/],
  ['unknown element in the second statement', doc([ok, { ...ok, Conditions: {} }]), SYNTAX, /statement 2: unknown element "Conditions"/],
  ['Version 2013-10-17', JSON.stringify({ Version: '2013-10-17', Statement: ok }), SYNTAX, /Version must be/],
  ['Version as a number', JSON.stringify({ Version: 2012, Statement: ok }), SYNTAX, /Version must be/],
  ['Id as a list', doc(ok, { Id: ['cd3a324d2343d942772346-34234234423404-4c2242343242349d1642ee'] }), SYNTAX, /Id must be a string/],
  ['Id as an object', doc(ok, { Id: {} }), SYNTAX, /Id must be a string/],
  ['Effect invalid', doc({ ...ok, Effect: 'invalid' }), SYNTAX, /Effect must be "Allow" or "Deny"/],
  ['Effect missing', doc({ Action: 's3:ListBucket', Resource: '*' }), SYNTAX, /Effect must be/],
  ['Effect not a string', doc({ ...ok, Effect: true }), SYNTAX, /Effect must be/],
  ['both Action and NotAction', doc({ ...ok, NotAction: 's3:ListBucket', Action: 'iam:dsf' }), SYNTAX, /both Action and NotAction/],
  ['both Action (empty) and NotAction', doc({ Effect: 'Allow', NotAction: 's3s:ListBucket', Action: [], Resource: '*' }), SYNTAX, /both Action and NotAction/],
  ['both Resource and NotResource', doc({ ...ok, NotResource: '*' }), SYNTAX, /both Resource and NotResource/],
  ['both Resource and an empty NotResource', doc({ ...ok, NotResource: [] }), SYNTAX, /both Resource and NotResource/],
  ['Resource as an object', doc({ ...ok, Resource: { a: 'arn:aws:s3:::example_bucket' } }), SYNTAX, /Resource must be a string or an array of strings/],
  ['Resource list holding an object', doc({ ...ok, Effect: 'Deny', Resource: ['adfdf', {}] }), SYNTAX, /Resource must be/],
  ['Action holding a list', doc({ ...ok, Action: [[]] }), SYNTAX, /Action must be/],
  ['Action as an object', doc({ ...ok, Action: {} }), SYNTAX, /Action must be/],
  ['NotResource as a number', doc({ Effect: 'Allow', Action: '*', NotResource: 1 }), SYNTAX, /NotResource must be/],
  ['Sid as an object', doc({ ...ok, Sid: {} }), SYNTAX, /Sid must be a string/],
  ['Sid as a list', doc({ ...ok, Sid: [] }), SYNTAX, /Sid must be a string/],
  ['Condition as a list', doc({ ...ok, Condition: [] }), SYNTAX, /Condition must be an object/],
  ['Condition as a string', doc({ ...ok, Condition: 'a' }), SYNTAX, /Condition must be an object/],
  ['Condition operator mapping to a string', doc({ ...ok, Condition: { a: 'b' } }), SYNTAX, /must map keys to values/],
  ['Condition operator mapping to a string (known operator)', doc({ ...ok, Condition: { DateGreaterThan: 'b' } }), SYNTAX, /must map keys/],
  ['Condition operator mapping to a list', doc({ ...ok, Condition: { DateGreaterThan: [] } }), SYNTAX, /must map keys/],
  ['Condition value as an object', doc({ ...ok, Condition: { DateGreaterThan: { a: {} } } }), SYNTAX, /must be strings, numbers or booleans/],
  ['Condition value null', doc({ ...ok, Condition: { StringEquals: { a: null } } }), SYNTAX, /must be strings/],
  ['Condition value list holding an object', doc({ ...ok, Condition: { StringEquals: { a: ['x', {}] } } }), SYNTAX, /must be strings/],
  ['unknown condition operator', doc({ ...ok, Condition: { x: { a: '1' } } }), SYNTAX, /unknown condition operator "x"/],
  ['misspelt condition operator', doc({ ...ok, Condition: { StringEqual: { 'aws:username': 'a' } } }), SYNTAX, /unknown condition operator "StringEqual"/],
  ['condition operator in the wrong case', doc({ ...ok, Condition: { stringequals: { 'aws:username': 'a' } } }), SYNTAX, /unknown condition operator/],
  ['doubled qualifier colon', doc({ ...ok, Condition: { 'ForAnyValue::StringEqualsIfExists': { a: 'asf' } } }), SYNTAX, /unknown condition operator/],
  ['unknown set qualifier', doc({ ...ok, Condition: { 'ForSomeValues:StringEquals': { a: 'asf' } } }), SYNTAX, /unknown condition operator/],
  ['NullIfExists', doc({ ...ok, Condition: { NullIfExists: { a: 'true' } } }), SYNTAX, /unknown condition operator "NullIfExists"/],
  ['Condition as a list of blocks', doc({ ...ok, Condition: [{ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'Department' } }] }), SYNTAX, /Condition must be an object/],
  ['Principal in an identity policy', doc({ ...ok, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }), 'Policy document should not specify a principal.', /Principal/],
  ['Principal "*"', doc({ ...ok, Principal: '*' }), 'Policy document should not specify a principal.'],
  ['NotPrincipal in an identity policy', doc({ ...ok, NotPrincipal: { AWS: '*' } }), 'Policy document should not specify a principal.'],
  ['Principal in the second statement', doc([ok, { ...ok, Principal: '*' }]), 'Policy document should not specify a principal.', /statement 2/],
  ['Effect in lower case', doc({ ...ok, Effect: 'allow' }), LEGACY, /written "Allow" or "Deny"/],
  ['Effect in odd case', doc({ ...ok, Effect: 'denY' }), LEGACY, /Effect/],
  ['Effect in odd case before a duplicate Sid', doc([{ ...ok, Sid: 'sdf', Effect: 'aLLow' }, { Sid: 'sdf', Effect: 'Allow' }]), LEGACY],
  ['Effect in odd case with a region in an s3 ARN and no action', doc({ Effect: 'allow', Resource: 'arn:aws:s3:us-east-1::example_bucket' }), LEGACY],
  ['unreadable date', doc({ ...ok, Condition: { DateGreaterThan: { a: 'sdfdsf' } } }), LEGACY, /sdfdsf is not an ISO 8601 date/],
  ['unreadable date with no action', doc({ Effect: 'Allow', Condition: { DateGreaterThan: { a: 'sdfdsf' } } }), LEGACY],
  ['unreadable date in a list', doc({ ...ok, Condition: { DateLessThanEquals: { a: ['2016-12-13T00:00:00Z', '234-13'] } } }), LEGACY, /234-13/],
  ['date with a one-digit hour and offset', doc({ ...ok, Condition: { DateLessThanEquals: { a: '2016-12-13t2:00:00.593194+1' } } }), LEGACY],
  ['epoch beyond 64 bits', doc({ ...ok, Condition: { DateLessThan: { a: '9223372036854775808' } } }), LEGACY],
  ['month 13', doc({ ...ok, Condition: { DateEquals: { a: '2020-13-01T00:00:00Z' } } }), LEGACY],
  // Recorded against AWS (moto's policy-validation cases, re-recorded by LocalStack in 2026).
  ['a ten-digit fraction of a second', doc({ ...ok, Condition: { DateLessThanEquals: { a: '2016-12-13t2:00:00.1999999999+10:59' } } }), LEGACY],
  ['year 234, month 13', doc({ ...ok, Condition: { DateLessThanEquals: { a: '234-13' } } }), LEGACY],
  ['30 February', doc({ ...ok, Condition: { DateEquals: { a: '2021-02-30' } } }), LEGACY],
  ['hour 24', doc({ ...ok, Condition: { DateEquals: { a: '2021-02-01T24:00' } } }), LEGACY],
  ['an offset after a date without T', doc({ ...ok, Condition: { DateEquals: { a: '2021-02-01Z' } } }), LEGACY],
  ['a bare T', doc({ ...ok, Condition: { DateEquals: { a: 'T' } } }), LEGACY],
  ['week 53 of a 52-week year', doc({ ...ok, Condition: { DateEquals: { a: '2021-W53' } } }), LEGACY],
  ['a ten-digit year', doc({ ...ok, Condition: { DateEquals: { a: '1234567890-01' } } }), LEGACY],
  ['unreadable date under IfExists and a qualifier', doc({ ...ok, Condition: { 'ForAnyValue:DateEqualsIfExists': { a: 'soon' } } }), LEGACY],
  ['ARN with too few segments', doc({ ...ok, Resource: 'arn:aws:s3::example_bucket' }), LEGACY, /too few ARN segments/],
  ['ARN with too few segments and no action', doc({ Effect: 'Allow', Resource: 'arn:aws:s3::example_bucket' }), LEGACY],
  ['ARN with an empty service', doc({ Effect: 'Allow', NotAction: 's3:ListBucket', Resource: 'arn:aws::::example_bucket' }), LEGACY],
  ['ARN with too few segments in NotResource', doc({ Effect: 'Allow', Action: 's3:ListBucket', NotResource: 'arn:aws:s3::example_bucket' }), LEGACY],
  ['ARN "arn:aws::fdsasf"', doc({ ...ok, Resource: 'arn:aws::fdsasf' }), LEGACY],
  ['bad partition and unreadable date: legacy first', doc({ ...ok, Resource: 'arn:error:s3:::example_bucket', Condition: { DateGreaterThan: { a: 'sdfdsf' } } }), LEGACY],
  ['duplicate Sid', doc([{ ...ok, Sid: 'sdf' }, { ...ok, Sid: 'sdf' }]), 'Statement IDs (SID) in a single policy must be unique.', /"sdf" is used twice/],
  ['duplicate Sid before a missing action', doc([{ ...ok, Sid: 'sdf' }, { Sid: 'sdf', Effect: 'Allow' }]), 'Statement IDs (SID) in a single policy must be unique.'],
  ['no Action or NotAction', doc({ Effect: 'Allow', Resource: 'arn:aws:s3:::example_bucket' }), NO_ACTIONS, /statement 1 has no Action/],
  ['only an Effect', doc({ Effect: 'Allow' }), NO_ACTIONS],
  ['empty Action list', doc({ ...ok, Action: [] }), NO_ACTIONS],
  ['empty NotAction list', doc({ Effect: 'Allow', NotAction: [], Resource: '*' }), NO_ACTIONS],
  ['no actions in the first of two statements', doc([{ Effect: 'Deny' }, ok]), NO_ACTIONS],
  ['no Resource or NotResource', doc({ Effect: 'Allow', Action: 's3:ListBucket' }), NO_RESOURCES, /statement 1 has no Resource/],
  ['empty Resource list', doc({ ...ok, Resource: [] }), NO_RESOURCES],
  ['no resource and an action without a vendor', doc({ Effect: 'Allow', Action: 'invalid' }), NO_RESOURCES],
  ['Resource that is not an ARN', doc({ ...ok, Resource: 'invalid resource' }), 'Resource invalid resource must be in ARN format or "*".'],
  ['empty Resource string', doc({ ...ok, Resource: '' }), 'Resource  must be in ARN format or "*".'],
  ['Resource list with a non-ARN', doc({ ...ok, Resource: ['adf'] }), 'Resource adf must be in ARN format or "*".'],
  ['a user name as Resource', doc({ ...ok, Resource: 'alice' }), 'Resource alice must be in ARN format or "*".'],
  ['bad resource before a bad action', doc({ ...ok, Action: 's:3:ListBucket', Resource: 'sdfsadf' }), 'Resource sdfsadf must be in ARN format or "*".'],
  ['bad partition', doc({ Effect: 'Allow', NotAction: 's3s:ListBucket', Resource: 'a:bsdfdsafsad' }), 'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".'],
  ['bad partition with a service', doc({ Effect: 'Allow', NotAction: 's3s:ListBucket', Resource: 'a:b:cadfsdf' }), 'Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".'],
  ['bad partition with many segments', doc({ Effect: 'Allow', NotAction: 's3s:ListBucket', Resource: 'a:b:c:d:e:f:g:h' }), 'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".'],
  ['ARN without its arn: prefix', doc({ ...ok, Resource: 'aws:s3:::example_bucket' }), 'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".'],
  ['bad partition reported for the first resource', doc({ ...ok, Resource: ['arn:error:s3:::example_bucket', 'arn:error:s3::example_bucket'] }), 'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".'],
  ['no service', doc({ ...ok, Resource: 'arn:aws' }), 'Resource vendor must be fully qualified and cannot contain regexes.'],
  ['IAM ARN with a region', doc({ ...ok, Resource: 'arn:aws:iam:us-east-1::example_bucket' }), 'IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information.'],
  ['S3 ARN with a region', doc({ ...ok, Resource: 'arn:aws:s3:us-east-1::example_bucket' }), 'Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.'],
  ['IAM ARN with an unknown resource type', doc({ ...ok, Resource: 'arn:aws:iam:::example_bucket' }), IAM_PATH],
  ['IAM ARN with a misspelt resource type', doc({ ...ok, Resource: 'arn:aws:iam::123456789012:users/alice' }), IAM_PATH],
  ['bad ARN in NotResource', doc({ Effect: 'Allow', Action: '*', NotResource: 'nope' }), 'Resource nope must be in ARN format or "*".'],
  ['action without a vendor', doc({ ...ok, Action: 'invalid' }), NO_VENDOR, /"invalid" has no service prefix/],
  ['empty NotAction string', doc({ ...ok, Action: undefined, NotAction: '' }), NO_VENDOR],
  ['action without a vendor among good ones', doc({ ...ok, Action: ['s3:ListBucket', 'ListUsers'] }), NO_VENDOR, /ListUsers/],
  ['action with two colons', doc({ ...ok, Action: 's3:List:Bucket' }), 'Actions/Condition can contain only one colon.'],
  ['action with two colons in the second statement', doc([{ ...ok, Action: 's3s:ListBucket' }, { ...ok, Action: 's:3s:ListBucket' }]), 'Actions/Condition can contain only one colon.'],
  ['vendor with a space', doc({ ...ok, Action: 'a a:ListBucket' }), 'Vendor a a is not valid'],
  ['vendor with an underscore', doc({ ...ok, Action: 'my_service:Do' }), 'Vendor my_service is not valid'],
  ['vendor with a wildcard', doc({ ...ok, Action: '*:Untag*' }), 'Action vendors (e.g., aws, ec2, etc.) must not contain wildcards'],
  ['vendor with a single-character wildcard', doc({ ...ok, Action: 'i?m:GetUser' }), 'Action vendors (e.g., aws, ec2, etc.) must not contain wildcards'],
];

describe('parsePolicyDocument refuses what IAM refuses, with AWS’s message', () => {
  it.each(INVALID)('%s', (_name, text, message, detail) => {
    const error = failure(text);
    expect(error.message).toBe(message);
    if (detail) expect(error.detail).toMatch(detail);
  });

  it('requires Version 2012-10-17 for managed policies when asked', () => {
    const message = 'Policy document must be version 2012-10-17 or greater.';
    expect(failure(JSON.stringify({ Statement: ok }), { requireVersion2012: true }).message).toBe(message);
    expect(failure(JSON.stringify({ Version: '2008-10-17', Statement: ok }), { requireVersion2012: true }).message).toBe(message);
    // AWS checks the version before legacy parsing and Sids.
    expect(failure(JSON.stringify({ Statement: { ...ok, Effect: 'denY' } }), { requireVersion2012: true }).message).toBe(message);
    expect(failure(JSON.stringify({ Statement: [{ ...ok, Sid: 'a' }, { ...ok, Sid: 'a' }] }), { requireVersion2012: true }).message).toBe(message);
    // ... and after syntax.
    expect(failure(JSON.stringify({ Version: '2013-10-17', Statement: ok }), { requireVersion2012: true }).message).toBe(SYNTAX);
    expect(parsePolicyDocument(doc(ok), { requireVersion2012: true }).Version).toBe(V);
  });

  it('keeps the detail equal to the message when AWS’s message already says it all', () => {
    expect(failure(doc({ ...ok, Resource: 'adf' }))).toEqual({ message: 'Resource adf must be in ARN format or "*".', detail: 'Resource adf must be in ARN format or "*".' });
  });
});

const VALID: [name: string, text: string][] = [
  ['a resource list', doc({ ...ok, Resource: ['arn:aws:s3:::example_bucket'] })],
  ['an odd but vendor-prefixed action', doc({ ...ok, Action: 'iam: asdf safdsf af ' })],
  ['"*" among resources', doc({ ...ok, Resource: ['arn:aws:s3:::example_bucket', '*'] })],
  ['Action "*"', doc({ ...ok, Action: '*' })],
  ['a statement list', doc([ok])],
  ['a date window', doc({ Effect: 'Allow', Action: 'service-prefix:action-name', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2017-07-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2017-12-31T23:59:59Z' } } })],
  ['an unknown service', doc({ ...ok, Action: 'fsx:ListBucket' })],
  ['an IAM user ARN without account', doc({ ...ok, Resource: 'arn:aws:iam:::user/example_bucket' })],
  ['an unknown service in the ARN', doc({ ...ok, Resource: 'arn:aws:s33:::example_bucket' })],
  ['a short ARN without "::"', doc({ ...ok, Resource: 'arn:aws:fdsasf' })],
  ['an empty Condition', doc({ ...ok, Condition: {} })],
  ['ForAllValues with a string', doc({ ...ok, Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'Department' } } })],
  ['a region in a CloudWatch ARN', doc({ ...ok, Resource: 'arn:aws:cloudwatch:us-east-1::example_bucket' })],
  ['a region in an EC2 ARN', doc({ ...ok, Resource: 'arn:aws:ec2:us-east-1::example_bucket' })],
  ['an invalid service with a region', doc({ ...ok, Resource: 'arn:aws:invalid-service:us-east-1::example_bucket' })],
  ['an S3 access point with a region', doc({ ...ok, Resource: 'arn:aws:s3:us-east-1:123456789012:accesspoint/ap' })],
  ['a known operator with no keys', doc({ ...ok, Condition: { DateGreaterThan: {} } })],
  ['a date operator with an empty value list', doc({ ...ok, Condition: { DateGreaterThan: { a: [] } } })],
  ['an unknown operator with no keys', doc({ ...ok, Condition: { a: {} } })],
  ['a long Sid', doc({ ...ok, Sid: 'dsfsdfsdfsdfsdfsadfsd' })],
  ['an empty Sid twice', doc([{ ...ok, Sid: '' }, { ...ok, Sid: '' }])],
  ['Sids that differ in case', doc([{ ...ok, Sid: 'a' }, { ...ok, Sid: 'A' }])],
  ['Version 2008-10-17', JSON.stringify({ Version: '2008-10-17', Statement: ok })],
  ['no Version', JSON.stringify({ Statement: ok })],
  ['an Id', doc(ok, { Id: 'my-policy' })],
  ['the root ARN', doc({ ...ok, Resource: 'arn:aws:iam::123456789012:root' })],
  ['IAM ARN "*" resource path', doc({ ...ok, Resource: 'arn:aws:iam::123456789012:*' })],
  ['policy variables in IAM ARNs', doc({ ...ok, Resource: ['arn:aws:iam::*:user/${aws:username}', 'arn:aws:iam::*:user/*/${aws:username}'] })],
  ['a policy variable holding the account', doc({ ...ok, Resource: 'arn:aws:iam::${aws:PrincipalAccount}:user/*' })],
  ['a partition wildcard', doc({ ...ok, Resource: 'arn:*:s3:::example_bucket' })],
  ['other partitions', doc({ ...ok, Resource: ['arn:aws-cn:s3:::b', 'arn:aws-us-gov:s3:::b'] })],
  ['all operator forms', doc({ ...ok, Condition: { StringNotLikeIfExists: { a: 'x' }, 'ForAnyValue:StringLike': { b: 'y' }, 'ForAllValues:ArnNotLikeIfExists': { c: 'arn:aws:s3:::z' }, Null: { d: 'true' }, BinaryEquals: { e: 'QQ==' }, NotIpAddress: { f: '10.0.0.0/8' } } })],
  ['epoch seconds in a date condition', doc({ ...ok, Condition: { DateLessThan: { 'aws:CurrentTime': '1577836800' } } })],
  ['date-only ISO 8601', doc({ ...ok, Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01' } } })],
  ['ISO 8601 with an offset and fraction', doc({ ...ok, Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T10:00:00.123+02:00' } } })],
  // Accepted by AWS (recorded: moto's policy-validation cases, re-recorded by LocalStack in 2026).
  ['a year and a bare T', doc({ ...ok, Condition: { DateGreaterThan: { a: '01T' } } })],
  ['a lower-case t, a one-digit hour and an offset of hours', doc({ ...ok, Condition: { DateLessThanEquals: { a: '2016-12-13t2:00:00.593194+23' } } })],
  ['a negative epoch', doc({ ...ok, Condition: { DateLessThan: { a: '-292275054' } } })],
  ['an ISO 8601 offset with minutes', doc({ ...ok, Condition: { DateLessThanEquals: { a: '2016-12-13T21:20:37.593194+00:00' } } })],
  ['a Deny', doc({ ...ok, Effect: 'Deny' })],
];

describe('parsePolicyDocument accepts what IAM accepts', () => {
  it.each(VALID)('%s', (_name, text) => {
    expect(() => parsePolicyDocument(text)).not.toThrow();
  });
});

describe('parsePolicyDocument normalises', () => {
  it('turns a single statement and single strings into arrays', () => {
    expect(parsePolicyDocument(doc({ Sid: 'One', Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }))).toEqual({
      Version: V,
      Statement: [{ Sid: 'One', Effect: 'Allow', Action: ['iam:GetUser'], Resource: ['*'] }],
    });
  });

  it('keeps NotAction, NotResource, Id and the statement order', () => {
    const text = JSON.stringify({
      Version: '2008-10-17',
      Id: 'p1',
      Statement: [
        { Effect: 'Deny', NotAction: ['iam:ChangePassword'], NotResource: 'arn:aws:iam::*:user/x' },
        { Effect: 'Allow', Action: ['s3:*', 'iam:*'], Resource: ['*'] },
      ],
    });
    expect(parsePolicyDocument(text)).toEqual({
      Version: '2008-10-17',
      Id: 'p1',
      Statement: [
        { Effect: 'Deny', NotAction: ['iam:ChangePassword'], NotResource: ['arn:aws:iam::*:user/x'] },
        { Effect: 'Allow', Action: ['s3:*', 'iam:*'], Resource: ['*'] },
      ],
    });
  });

  it('turns condition values into string arrays: strings, numbers and booleans', () => {
    const parsed = parsePolicyDocument(
      doc({ ...ok, Condition: { NumericLessThan: { 's3:max-keys': 10 }, Bool: { 'aws:SecureTransport': true }, StringEquals: { 'aws:username': ['a', 'b'], 'aws:userid': 'c' }, IpAddress: { 'aws:SourceIp': [1.5, false] } } }),
    );
    expect(parsed.Statement[0]!.Condition).toEqual({
      NumericLessThan: { 's3:max-keys': ['10'] },
      Bool: { 'aws:SecureTransport': ['true'] },
      StringEquals: { 'aws:username': ['a', 'b'], 'aws:userid': ['c'] },
      IpAddress: { 'aws:SourceIp': ['1.5', 'false'] },
    });
  });

  it('omits Version, Id, Sid and Condition when absent', () => {
    const parsed = parsePolicyDocument(JSON.stringify({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }));
    expect(parsed).toEqual({ Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] });
    expect(Object.keys(parsed)).toEqual(['Statement']);
    expect(Object.keys(parsed.Statement[0]!)).toEqual(['Effect', 'Action', 'Resource']);
  });

  it('accepts whitespace around the document', () => {
    expect(parsePolicyDocument(`\n  ${doc(ok)}\n`).Statement).toHaveLength(1);
  });
});

describe('parseConditionDate reads what IAM reads, to the millisecond', () => {
  const at = (iso: string) => Date.parse(iso);
  it.each([
    ['epoch seconds', '1577836800', at('2020-01-01T00:00:00Z')],
    ['negative epoch seconds', '-86400', at('1969-12-31T00:00:00Z')],
    ['a date', '2020-03-04', at('2020-03-04T00:00:00Z')],
    ['a year and a month', '2020-03', at('2020-03-01T00:00:00Z')],
    ['a year and a bare T', '2020T', at('2020-01-01T00:00:00Z')],
    ['a two-digit year is year 1, not 1901', '01T', at('0001-01-01T00:00:00Z')],
    ['one-digit fields', '2020-3-4T5:6:7Z', at('2020-03-04T05:06:07Z')],
    ['an offset of hours only', '2016-12-13t2:00:00.593194+23', at('2016-12-12T03:00:00.593Z')],
    ['an offset without a colon', '2020-01-01T10:00+0130', at('2020-01-01T08:30:00Z')],
    ['a negative offset with seconds', '2020-01-01T10:00-01:00:30', at('2020-01-01T11:00:30Z')],
    ['a fraction of an hour', '2020-01-01T10.5Z', at('2020-01-01T10:30:00Z')],
    ['a comma before the fraction', '2020-01-01T10:00:00,250Z', at('2020-01-01T10:00:00.250Z')],
    ['a lower-case z', '2020-01-01T10:00z', at('2020-01-01T10:00:00Z')],
    ['a time without a date (1970-01-01)', 'T10:00', at('1970-01-01T10:00:00Z')],
    ['a day of the year', '2020-060', at('2020-02-29T00:00:00Z')],
    ['an ISO week date', '2020-W01-3', at('2020-01-01T00:00:00Z')],
    ['week 53 of a 53-week year', '2020-W53', at('2020-12-28T00:00:00Z')],
    ['29 February of a leap year', '2024-02-29', at('2024-02-29T00:00:00Z')],
  ])('%s: %s', (_name, text, expected) => {
    expect(parseConditionDate(text)).toBe(expected);
  });

  it('orders years beyond what a JavaScript Date holds', () => {
    expect(parseConditionDate('-292275054-01-01')!).toBeLessThan(parseConditionDate('-271821-04-20')!);
    expect(parseConditionDate('292278993-12-31')!).toBeGreaterThan(parseConditionDate('275760-09-13')!);
  });

  it.each(['', 'soon', '2020-02-30', '2019-02-29', '2020-366-', '2021-366', '2020-W54', '2020-01-01T10:60', '2020-01-01T10:00+24', '+-1', '292278994-01-01', '1e3'])(
    'refuses %j',
    (text) => {
      expect(parseConditionDate(text)).toBeUndefined();
    },
  );
});
