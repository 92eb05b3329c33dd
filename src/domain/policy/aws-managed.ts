import fs from 'node:fs';
import zlib from 'node:zlib';
import { parsePolicyDocument, type PolicyDocument } from './document.js';

/**
 * AWS's managed policies (about 1,600), as IAM serves them: name, path, PolicyId, default
 * version, dates and document. The data is aws-managed-policies.bin, written by
 * scripts/update-aws-managed-policies.mjs from public captures of IAM (see that script for the
 * sources and the format). Only iamd keeps the default version of each.
 *
 * Start-up reads the names, paths and dates (a few hundred kB); the documents (4 MB of JSON) stay
 * deflated in one buffer and each is inflated and parsed the first time something reads it.
 */
export interface AwsManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  /** AWS's PolicyId where a capture recorded it; undefined for the newest policies. */
  readonly id: string | undefined;
  /** Descriptions are not in the captures; only a few policies have one. */
  readonly description: string | undefined;
  readonly versionId: string;
  readonly createDate: Date;
  readonly updateDate: Date;
  readonly document: PolicyDocument;
  readonly documentText: string;
}

/** Dates in epoch seconds. */
type Row = [name: string, path: string, id: string | null, versionId: string, createDate: number, updateDate: number, description: string | null, offset: number, length: number];

class CataloguedPolicy implements AwsManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly id: string | undefined;
  readonly description: string | undefined;
  readonly versionId: string;
  readonly createDate: Date;
  readonly updateDate: Date;
  #document: PolicyDocument | undefined;

  constructor(
    row: Row,
    private readonly compressed: Buffer,
  ) {
    const [name, path, id, versionId, createDate, updateDate, description] = row;
    this.arn = `arn:aws:iam::aws:policy${path}${name}`;
    this.name = name;
    this.path = path;
    this.id = id ?? undefined;
    this.description = description ?? undefined;
    this.versionId = versionId;
    this.createDate = new Date(createDate * 1000);
    this.updateDate = new Date(updateDate * 1000);
  }

  get documentText(): string {
    // Not kept: the text of a large policy (ReadOnlyAccess is 100 kB) is cheap to inflate again.
    return zlib.inflateRawSync(this.compressed).toString('utf8');
  }

  get document(): PolicyDocument {
    this.#document ??= parsePolicyDocument(this.documentText, { requireVersion2012: true, checkFormats: false });
    return this.#document;
  }
}

function load(): Map<string, AwsManagedPolicy> {
  const file = fs.readFileSync(new URL('./aws-managed-policies.bin', import.meta.url));
  const headerLength = file.readUInt32BE(0);
  const header = JSON.parse(zlib.inflateRawSync(file.subarray(4, 4 + headerLength)).toString('utf8')) as { policies: Row[] };
  const documents = file.subarray(4 + headerLength);
  const policies = new Map<string, AwsManagedPolicy>();
  for (const row of header.policies) {
    const policy = new CataloguedPolicy(row, documents.subarray(row[7], row[7] + row[8]));
    policies.set(policy.arn, policy);
  }
  return policies;
}

/** By ARN, in name order (ListPolicies's order). */
export const AWS_MANAGED_POLICIES: ReadonlyMap<string, AwsManagedPolicy> = load();
