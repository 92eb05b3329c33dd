#!/usr/bin/env node
/**
 * Rebuilds src/domain/policy/aws-managed-policies.bin, the catalogue of AWS managed policies iamd
 * serves (ListPolicies Scope=AWS, GetPolicy, GetPolicyVersion, attachments, the engine).
 *
 * Sources, both public git repositories that record what IAM itself answers:
 *   - iann0036/iam-dataset (MIT): aws/managedpolicies/<Name>.json, one file a policy, with its ARN
 *     (so its path), default version id, that version's date and its document. Its `createdate`
 *     is the default version's date, not the policy's.
 *   - z0ph/MAMIP: policies-list.json, a ListPolicies Scope=AWS capture, for each policy's own
 *     CreateDate and PolicyId (policies created after that capture get the date of their first
 *     appearance in iam-dataset and a derived id).
 * Neither records descriptions (ListPolicies has none); the few below are from AWS's Managed
 * Policy Reference.
 *
 * Usage (clones of both, any directory; only their git objects are read):
 *   git clone https://github.com/iann0036/iam-dataset && git clone https://github.com/z0ph/MAMIP
 *   node scripts/update-aws-managed-policies.mjs --iam-dataset iam-dataset --mamip MAMIP
 *
 * File format (read by src/domain/policy/aws-managed.ts): a 4-byte big-endian length, then that
 * many bytes of deflated JSON ({ source, policies: [[name, path, id, versionId, createDate,
 * updateDate (epoch seconds), description, offset, length], ...] }), then each document, raw-deflated on its
 * own, so iamd keeps them compressed and inflates one only when it is first used.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'domain', 'policy', 'aws-managed-policies.bin');

const { values: args } = parseArgs({ options: { 'iam-dataset': { type: 'string' }, mamip: { type: 'string' } } });
if (!args['iam-dataset'] || !args.mamip) {
  console.error('usage: node scripts/update-aws-managed-policies.mjs --iam-dataset <clone> --mamip <clone>');
  process.exit(2);
}

const git = (dir, ...rest) => execFileSync('git', ['-C', dir, ...rest], { maxBuffer: 1 << 30 });

/** Reads many blobs in one `git cat-file --batch`; a blob the clone lacks is undefined. */
function readBlobs(dir, specs) {
  const out = execFileSync('git', ['-C', dir, 'cat-file', '--batch'], { input: specs.join('\n') + '\n', maxBuffer: 1 << 30 });
  const blobs = [];
  let at = 0;
  for (let i = 0; i < specs.length; i++) {
    const nl = out.indexOf(10, at);
    const header = out.subarray(at, nl).toString().split(' ');
    if (header[1] === 'missing') {
      blobs.push(undefined);
      at = nl + 1;
      continue;
    }
    const size = Number(header[2]);
    blobs.push(out.subarray(nl + 1, nl + 1 + size).toString('utf8'));
    at = nl + 1 + size + 1;
  }
  return blobs;
}

const dataset = args['iam-dataset'];
const datasetCommit = git(dataset, 'rev-parse', 'HEAD').toString().trim();
const datasetDate = git(dataset, 'log', '-1', '--format=%cI', 'HEAD').toString().trim();
const files = git(dataset, 'ls-tree', '-r', '--name-only', 'HEAD', 'aws/managedpolicies/')
  .toString()
  .split('\n')
  .filter((f) => f.endsWith('.json'));
const texts = readBlobs(
  dataset,
  files.map((f) => `HEAD:${f}`),
);
// A partial clone may lack a blob; then the newest commit that has the file is used (and said).
for (let i = 0; i < files.length; i++) {
  if (texts[i] !== undefined) continue;
  const commits = git(dataset, 'log', '--format=%H', '-400', '--', files[i]).toString().split('\n').filter(Boolean);
  for (const commit of commits) {
    const [text] = readBlobs(dataset, [`${commit}:${files[i]}`]);
    if (text !== undefined) {
      console.error(`note: ${files[i]} is missing at HEAD in this clone; using ${commit.slice(0, 10)}`);
      texts[i] = text;
      break;
    }
  }
  if (texts[i] === undefined) throw new Error(`${files[i]}: no readable version`);
}

// When each file first appeared: the policy's creation date for those MAMIP's capture predates.
const added = new Map();
{
  const log = git(dataset, 'log', '--diff-filter=A', '--format=@%H', '--name-only', 'HEAD', '--', 'aws/managedpolicies/').toString();
  let commit;
  for (const line of log.split('\n')) {
    if (line.startsWith('@')) commit = line.slice(1);
    else if (line.endsWith('.json')) added.set(line, commit); // oldest last: overwritten by older adds
  }
}

const mamip = args.mamip;
const mamipCommit = git(mamip, 'rev-parse', 'HEAD').toString().trim();
const [listText] = readBlobs(mamip, ['HEAD:policies-list.json']);
const mamipByArn = new Map(JSON.parse(listText).Policies.map((p) => [p.Arn, p]));
const mamipListDate = git(mamip, 'log', '-1', '--format=%cI', 'HEAD', '--', 'policies-list.json').toString().trim();

/**
 * Four policies iamd shipped before the catalogue, with AWS's descriptions and documents as the
 * Managed Policy Reference prints them; their documents are kept when the dataset's says the same.
 */
const REFERENCE = {
  AdministratorAccess: {
    description: 'Provides full access to AWS services and resources.',
    text: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}',
  },
  IAMFullAccess: {
    description: 'Provides full access to IAM via the AWS Management Console.',
    text: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n${[
      'iam:*',
      'organizations:DescribeAccount',
      'organizations:DescribeOrganization',
      'organizations:DescribeOrganizationalUnit',
      'organizations:DescribePolicy',
      'organizations:ListChildren',
      'organizations:ListParents',
      'organizations:ListPoliciesForTarget',
      'organizations:ListRoots',
      'organizations:ListPolicies',
      'organizations:ListTargetsForPolicy',
    ]
      .map((a) => `        "${a}"`)
      .join(',\n')}\n      ],\n      "Resource": "*"\n    }\n  ]\n}`,
  },
  IAMReadOnlyAccess: {
    description: 'Provides read only access to IAM via the AWS Management Console.',
    text: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n${[
      'iam:GenerateCredentialReport',
      'iam:GenerateServiceLastAccessedDetails',
      'iam:Get*',
      'iam:List*',
      'iam:SimulateCustomPolicy',
      'iam:SimulatePrincipalPolicy',
    ]
      .map((a) => `        "${a}"`)
      .join(',\n')}\n      ],\n      "Resource": "*"\n    }\n  ]\n}`,
  },
  IAMUserChangePassword: {
    description: 'Provides the ability for an IAM user to change their own password.',
    text: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": [\n        "iam:ChangePassword"\n      ],\n      "Resource": [\n        "arn:aws:iam::*:user/${aws:username}",\n        "arn:aws:iam::*:user/*/${aws:username}"\n      ]\n    },\n    {\n      "Effect": "Allow",\n      "Action": [\n        "iam:GetAccountPasswordPolicy"\n      ],\n      "Resource": "*"\n    }\n  ]\n}',
  },
};

// The dataset writes a lone action or resource as a one-element list.
const LISTS = new Set(['Action', 'NotAction', 'Resource', 'NotResource']);
/** A document with its object keys sorted: the same policy whatever order its keys were written in. */
const canonical = (value) =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical(LISTS.has(k) && typeof value[k] === 'string' ? [value[k]] : value[k])]),
        )
      : value;
const sameDocument = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

const iso = (date) => new Date(date).toISOString().replace('.000Z', 'Z');

// The creation dates of policies MAMIP's capture lacks: their first version in the dataset.
const lateAdds = [];
const entries = files.map((file, i) => ({ file, record: JSON.parse(texts[i]) }));
for (const { file, record } of entries) {
  if (!mamipByArn.has(record.arn) && added.has(file)) lateAdds.push({ file, spec: `${added.get(file)}:${file}` });
}
const firstVersions = new Map(lateAdds.map(({ file }, i) => [file, readBlobs(dataset, [lateAdds[i].spec])[0]]));

const policies = [];
let skippedDeprecated = 0;
const skippedStale = [];
let derivedCreateDates = 0;
for (const { file, record } of entries) {
  if (record.deprecated) {
    skippedDeprecated++;
    continue;
  }
  // Files of policies AWS has since removed stay in the dataset, unrefreshed and without an ARN;
  // one is kept only if MAMIP's capture lists it (by name, for its ARN).
  const arn = record.arn ?? [...mamipByArn.values()].find((p) => p.PolicyName === record.name)?.Arn;
  if (!arn) {
    skippedStale.push(record.name);
    continue;
  }
  const match = /^arn:aws:iam::aws:policy(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  if (!match || match[2] !== record.name) throw new Error(`${file}: unexpected ARN ${arn}`);
  const known = mamipByArn.get(arn);
  const reference = REFERENCE[record.name];
  const text = reference && sameDocument(JSON.parse(reference.text), record.document) ? reference.text : JSON.stringify(record.document, null, 2);
  if (reference && text !== reference.text) console.error(`note: ${record.name}'s document differs from the reference text; using the dataset's`);
  const updateDate = iso(record.updatedate);
  let createDate;
  if (known) createDate = iso(known.CreateDate);
  else {
    const first = firstVersions.get(file);
    const firstDate = first ? iso(JSON.parse(first).createdate) : updateDate;
    createDate = firstDate < updateDate ? firstDate : updateDate;
    derivedCreateDates++;
  }
  policies.push({ name: record.name, path: match[1], id: known?.PolicyId ?? null, versionId: record.version, createDate, updateDate, description: reference?.description ?? null, text });
}
policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
const names = new Set();
for (const p of policies) {
  if (names.has(p.name)) throw new Error(`duplicate policy name ${p.name}`);
  names.add(p.name);
}

const chunks = [];
let offset = 0;
const rows = policies.map((p) => {
  const chunk = zlib.deflateRawSync(Buffer.from(p.text, 'utf8'), { level: 9 });
  chunks.push(chunk);
  // Dates as epoch seconds: start-up makes Dates of numbers, not of strings.
  const row = [p.name, p.path, p.id, p.versionId, Date.parse(p.createDate) / 1000, Date.parse(p.updateDate) / 1000, p.description, offset, chunk.length];
  offset += chunk.length;
  return row;
});
const header = zlib.deflateRawSync(
  Buffer.from(
    JSON.stringify({
      source: {
        'iam-dataset': { repository: 'https://github.com/iann0036/iam-dataset', commit: datasetCommit, date: datasetDate },
        mamip: { repository: 'https://github.com/z0ph/MAMIP', commit: mamipCommit, policiesListDate: mamipListDate },
      },
      policies: rows,
    }),
  ),
  { level: 9 },
);
const length = Buffer.alloc(4);
length.writeUInt32BE(header.length);
const file = Buffer.concat([length, header, ...chunks]);
fs.writeFileSync(OUT, file);
console.error(
  `wrote ${path.relative(process.cwd(), OUT)}: ${policies.length} policies (${skippedDeprecated} deprecated left out, ` +
    `${derivedCreateDates} creation dates from the dataset's history, ${policies.filter((p) => !p.id).length} without a recorded PolicyId), ` +
    `${file.length} bytes, documents ${policies.reduce((n, p) => n + p.text.length, 0)} characters`,
);
