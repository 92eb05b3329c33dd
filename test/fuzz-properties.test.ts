/**
 * Property tests (issue 8, point 3) with fast-check, bounded in runs and time: the Query parameter
 * reader/validator, the SigV4 canonicaliser and parser, and the policy-document parser. Whatever
 * they are given, they either answer or throw an IamError whose code is an AWS code; SigV4 parsing
 * and verification never throw at all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, IamError } from '../src/domain/errors.js';
import { parsePolicyDocument } from '../src/domain/policy/document.js';
import { IAM_MODEL, shapeOf } from '../src/protocol/query/model.js';
import { readInput } from '../src/protocol/query/read-input.js';
import { readParameters } from '../src/protocol/query/parameters.js';
import { canonicalHeaders, canonicalQueryString, canonicalUri, canonicalHeaderValue } from '../src/protocol/sigv4/canonical-request.js';
import { percentDecode, percentDecodeToBytes, uriEncode, normalizeEncoded } from '../src/protocol/sigv4/encoding.js';
import { parseCredential, parseSignature, queryParameters } from '../src/protocol/sigv4/parse.js';
import { verifySigV4 } from '../src/protocol/sigv4/verify.js';
import { accessLine, isoTimestamp, jsonString } from '../src/server/logger.js';

const RUNS = { numRuns: 300, interruptAfterTimeLimit: 4000 } as const;
const AWS_CODES = new Set(Object.keys(ERROR_STATUS));
const SIGV4_CODES = new Set(['MissingAuthenticationToken', 'IncompleteSignature', 'InvalidClientTokenId', 'SignatureDoesNotMatch']);

/** Runs f; passes if it returns or throws an IamError with an AWS code and status. */
function onlyAwsErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof IamError)) throw new Error(`threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    expect(AWS_CODES.has(e.code)).toBe(true);
    expect(e.status).toBe(ERROR_STATUS[e.code]);
  }
}

/** onlyAwsErrors for the (asynchronous) input reader. */
async function readsOnlyAwsErrors(read: () => Promise<unknown>): Promise<void> {
  const error = await read().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error !== undefined) onlyAwsErrors(() => { throw error; });
}

/** Strings that hurt: any code unit (lone surrogates too), percent signs, separators, NUL. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('%', '&', '=', '+', '.', '/', '\0', '\uD800', '\uFFFF', 'a', '1', ' ', '\n', '*', '$', '{', '}'), maxLength: 30 }),
  fc.constantFrom('', '%', '%z', '%E0%A4%A', '%FF%FE', '%00', 'member', '.member.1', '1e309', '-0', 'NaN', 'true', '9'.repeat(400)),
);

const operations = Object.keys(IAM_MODEL.operations).filter((op) => IAM_MODEL.operations[op]!.input !== undefined);

/** Parameter names in the shape of an operation's input, nested and indexed wrongly or rightly. */
function memberNames(op: string): string[] {
  const names: string[] = [];
  const walk = (shapeName: string, prefix: string, depth: number) => {
    if (depth > 3) return;
    const shape = shapeOf(IAM_MODEL, shapeName);
    if (shape.type === 'structure') {
      for (const [m, ref] of Object.entries(shape.members ?? {})) {
        const key = prefix ? `${prefix}.${ref.locationName ?? m}` : ref.locationName ?? m;
        names.push(key);
        walk(ref.shape, key, depth + 1);
      }
    } else if (shape.type === 'list' && shape.member) {
      for (const i of ['1', '2', '0', '-1', '01', '1000000']) {
        names.push(`${prefix}.member.${i}`);
        walk(shape.member.shape, `${prefix}.member.${i}`, depth + 1);
      }
    } else if (shape.type === 'map') {
      names.push(`${prefix}.entry.1.key`, `${prefix}.entry.1.value`, `${prefix}.entry.2.key`);
    }
  };
  walk(IAM_MODEL.operations[op]!.input!.shape, '', 0);
  return names;
}

const paramsFor = (op: string) => {
  const names = memberNames(op);
  const name = names.length > 0 ? fc.oneof(fc.constantFrom(...names), nasty, fc.constantFrom(...names).map((n) => `${n}.member.1.member.1`)) : nasty;
  return fc.array(fc.tuple(name, nasty), { maxLength: 12 }).map((pairs) => new Map(pairs));
};

describe('Query parameter reader and validator', () => {
  it('answers or throws an AWS error, for any parameters of any operation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations).chain((op) => fc.tuple(fc.constant(op), paramsFor(op))),
        ([op, params]) => readsOnlyAwsErrors(() => readInput(IAM_MODEL, IAM_MODEL.operations[op]!.input!.shape, params)),
      ),
      RUNS,
    );
  });

  it('never echoes a rejected value in its message', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 129, maxLength: 200 }), async (password) => {
        try {
          await readInput(IAM_MODEL, 'UpdateLoginProfileRequest', new Map([['UserName', 'alice'], ['Password', password]]));
        } catch (e) {
          expect((e as IamError).message).not.toContain(password);
          return;
        }
        throw new Error('a 129+ character password was accepted');
      }),
      { numRuns: 50 },
    );
  });
});

/**
 * The URL standard's application/x-www-form-urlencoded parser, as the standard writes it, with
 * URLSearchParams's one leading '?' dropped, keeping the first value of a repeated name. (node's
 * URLSearchParams strays from it: a raw non-ASCII character after an escape becomes U+FFFD, and a
 * UTF-8 sequence an escape leaves unfinished gets a U+FFFD for each of its bytes, not one.)
 */
function standardFormParse(text: string): Map<string, string> {
  const utf8 = new TextDecoder();
  const percentDecoded = (s: string) => {
    const bytes = Buffer.from(s.replaceAll('+', ' '), 'utf8');
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const hex = String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0);
      if (bytes[i] === 0x25 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
      } else {
        out.push(bytes[i]!);
      }
    }
    return utf8.decode(Uint8Array.from(out));
  };
  const params = new Map<string, string>();
  for (const pair of text.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = percentDecoded(eq < 0 ? pair : pair.slice(0, eq));
    if (!params.has(name)) params.set(name, eq < 0 ? '' : percentDecoded(pair.slice(eq + 1)));
  }
  return params;
}

describe('Query form body', () => {
  it('is read as the URL standard parses a form body (the first value of a repeated name counts), for any body', async () => {
    // The characters the parser acts on, escapes whole and broken ('%', then hex digits or not),
    // and characters of 2 and 4 bytes of UTF-8, raw, escaped, and escaped in part.
    const body = fc.string({ unit: fc.constantFrom('&', '=', '+', '%', '?', ' ', '2', 'F', 'c', '3', 'A', 'g', 'é', '😀', '%C3', '%A9', '%F0%9F', '%98%80'), maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const read = await readParameters({ method: 'POST', rawQuery: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(text) });
        expect([...read]).toEqual([...standardFormParse(text)]);
      }),
      RUNS,
    );
  });
});

describe('SigV4 canonicalisation and parsing', () => {
  const headerBag = fc.dictionary(
    fc.oneof(fc.constantFrom('authorization', 'host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'date'), fc.string({ maxLength: 12 })),
    fc.oneof(nasty, fc.array(nasty, { maxLength: 3 })),
    { maxKeys: 6 },
  );
  const authorization = fc.oneof(
    nasty,
    fc
      .tuple(nasty, nasty, nasty, fc.constantFrom('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 ', 'aws4', ''))
      .map(([cred, signed, sig, alg]) => `${alg} Credential=${cred}, SignedHeaders=${signed}, Signature=${sig}`),
    fc.constantFrom('AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00', 'AWS4-HMAC-SHA256 ,,,,='),
  );

  it('the canonicaliser takes any path, query and header value without throwing', () => {
    fc.assert(
      fc.property(nasty, nasty, fc.oneof(nasty, fc.array(nasty, { maxLength: 3 })), (p, q, v) => {
        canonicalUri(p);
        canonicalQueryString(q);
        canonicalQueryString(q, 'X-Amz-Signature');
        canonicalHeaderValue(v);
        percentDecode(q);
        percentDecodeToBytes(q);
        normalizeEncoded(q);
        uriEncode(q);
        queryParameters(q);
        parseCredential(q);
      }),
      RUNS,
    );
  });

  it('canonical headers report a missing signed header rather than throwing', () => {
    fc.assert(
      fc.property(headerBag, fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }), (headers, names) => {
        const r = canonicalHeaders(headers, names);
        expect('text' in r || 'missing' in r).toBe(true);
      }),
      RUNS,
    );
  });

  it('parseSignature answers ok or a SigV4 failure with an AWS code, for any headers and query', () => {
    fc.assert(
      fc.property(headerBag, authorization, nasty, fc.boolean(), (headers, auth, rawQuery, presigned) => {
        const query = presigned ? `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${rawQuery}&X-Amz-Signature=${rawQuery}&X-Amz-Date=${rawQuery}` : rawQuery;
        const r = parseSignature({ ...headers, authorization: auth }, query);
        if (!r.ok) expect(SIGV4_CODES.has(r.code)).toBe(true);
        const r2 = parseSignature(headers, query);
        if (!r2.ok) expect(SIGV4_CODES.has(r2.code)).toBe(true);
      }),
      RUNS,
    );
  });

  it('verifySigV4 answers a verdict (never throws) for any request', async () => {
    await fc.assert(
      fc.asyncProperty(headerBag, authorization, nasty, nasty, fc.uint8Array({ maxLength: 64 }), async (headers, auth, rawPath, rawQuery, body) => {
        const verdict = await verifySigV4(
          { method: 'POST', rawPath, rawQuery, headers: { ...headers, authorization: auth, host: 'localhost' }, body: Buffer.from(body) },
          { now: new Date(), services: ['iam', 'sts'], lookupSecret: async () => 'secret' },
        );
        if (!verdict.ok) expect(SIGV4_CODES.has(verdict.code)).toBe(true);
      }),
      { numRuns: 200, interruptAfterTimeLimit: 4000 },
    );
  });
});

describe('policy document parser', () => {
  const element = fc.oneof(
    nasty,
    fc.constantFrom('Allow', 'Deny', '*', 'iam:*', 'iam:Get?ser', 'arn:aws:iam::123456789012:user/*', '${aws:username}', '2012-10-17', '2008-10-17'),
  );
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      element,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(fc.oneof(element, fc.constantFrom('StringEquals', 'ForAnyValue:StringLike', 'aws:SourceIp', 'Null', 'IpAddress', 'DateLessThan')), tie('v'), {
        maxKeys: 3,
      }),
    ),
  })).v;
  const statement = fc.record(
    {
      Sid: element,
      Effect: fc.oneof(fc.constantFrom('Allow', 'Deny'), element),
      Action: fc.oneof(element, fc.array(element, { maxLength: 3 })),
      NotAction: element,
      Resource: fc.oneof(element, fc.array(element, { maxLength: 3 })),
      NotResource: element,
      Condition: value,
      Principal: value,
      Actoin: element,
    },
    { requiredKeys: [] },
  );
  const document = fc.record(
    {
      Version: fc.oneof(fc.constantFrom('2012-10-17', '2008-10-17'), element),
      Id: element,
      Statement: fc.oneof(statement, fc.array(statement, { maxLength: 3 }), value),
      Extra: value,
    },
    { requiredKeys: [] },
  );

  it('answers or throws MalformedPolicyDocument (an AWS code), for structured and for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(document.map((d) => JSON.stringify(d)), nasty, fc.json({ maxDepth: 4 })), fc.boolean(), (text, requireVersion2012) =>
        onlyAwsErrors(() => parsePolicyDocument(text, { requireVersion2012 })),
      ),
      RUNS,
    );
  });

  it('takes deeply nested JSON without a stack overflow', () => {
    for (const depth of [100, 1000, 5000, 60_000]) {
      onlyAwsErrors(() => parsePolicyDocument('{"Version":"2012-10-17","Statement":' + '['.repeat(depth) + ']'.repeat(depth) + '}'));
      const deep = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      for (const element of ['Condition', 'Principal', 'Resource', 'Action']) {
        onlyAwsErrors(() => parsePolicyDocument(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","${element}":${deep}}}`));
      }
    }
  });
});

describe('the access line', () => {
  it("writes every string member as JSON.stringify would, for any string (the line's own quoting skips the call where nothing needs escaping)", () => {
    const strings = fc.oneof(nasty, fc.string({ unit: fc.constantFrom('"', '\\', '\u001f', '\u007f', '\u2028', '\uDBFF', '\uDC00', '😀', 'é', 'a', ':', '/'), maxLength: 20 }));
    fc.assert(
      fc.property(strings, (s) => {
        expect(jsonString(s)).toBe(JSON.stringify(s));
        const line = JSON.parse(accessLine({ method: s, path: s, status: 200, ms: 1, requestId: s, action: s, principal: s, errorCode: s, errorDetail: s })) as Record<string, unknown>;
        for (const member of ['method', 'path', 'requestId', 'action', 'principal', 'errorCode', 'errorDetail']) expect(line[member]).toBe(s);
      }),
      RUNS,
    );
  });

  it('writes its time as toISOString would, for any millisecond, in any order (the second\'s text is kept between lines)', () => {
    // Runs of nearby instants (the same second, the next, the one before) and far ones (before 1970, after 9999).
    const instant = fc.integer({ min: -8.64e15, max: 8.64e15 });
    const nearby = fc.tuple(fc.integer({ min: 0, max: 4e12 }), fc.array(fc.integer({ min: -2500, max: 2500 }), { maxLength: 20 })).map(([base, steps]) => steps.map((s) => base + s));
    fc.assert(
      fc.property(fc.array(fc.oneof(instant.map((t) => [t]), nearby), { maxLength: 10 }), (runs) => {
        for (const t of runs.flat()) expect(isoTimestamp(t)).toBe(new Date(t).toISOString());
      }),
      RUNS,
    );
  });
});
