import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useServer } from './support/use-server.js';
import { errorOf, signedQuery } from './support/signed-http.js';

/**
 * Every operation of the committed IAM model, called with no parameters as the root user, gets a
 * ValidationError, another AWS error or a result: never InvalidAction (an operation iamd does not
 * serve) and never ServiceFailure. A botocore update that adds an operation fails here.
 *
 * KNOWN_MISSING holds the operations not built yet; it may only shrink: the test fails when a
 * listed operation is served (remove it from the list) and when an unlisted one is missing.
 * `node scripts/list-missing-operations.mjs` prints the same list from the built table (and STS's,
 * whose test is test/sts-model-coverage.test.ts).
 */
const KNOWN_MISSING: readonly string[] = [];

const model = JSON.parse(fs.readFileSync(new URL('../src/protocol/model/iam.json', import.meta.url), 'utf8')) as {
  operations: Record<string, unknown>;
};
const OPERATION_NAMES = Object.keys(model.operations).sort();

const api = useServer();

describe('every operation of the IAM model', () => {
  it('answers each with no parameters: a ValidationError, an AWS error or a result, never InvalidAction', async () => {
    const missing: string[] = [];
    const failures: string[] = [];
    for (const Action of OPERATION_NAMES) {
      const res = await signedQuery(api.url, { Action });
      if (res.status === 200) {
        expect(res.body, Action).toContain(`<${Action}Response `);
        continue;
      }
      const { code, message } = errorOf(res.body);
      if (code === 'InvalidAction') missing.push(Action);
      else if (code === undefined || code === 'ServiceFailure' || res.status >= 500) failures.push(`${Action}: ${res.status} ${code} ${message}`);
    }
    expect(failures).toEqual([]);
    // Served now: take these off KNOWN_MISSING.
    expect(KNOWN_MISSING.filter((name) => !missing.includes(name))).toEqual([]);
    // Missing and not listed: build them (or, only while building, list them).
    expect(missing.filter((name) => !KNOWN_MISSING.includes(name))).toEqual([]);
  });

  it('lists in KNOWN_MISSING only operations the model has, each once', () => {
    expect(KNOWN_MISSING.filter((name) => !OPERATION_NAMES.includes(name))).toEqual([]);
    expect(new Set(KNOWN_MISSING).size).toBe(KNOWN_MISSING.length);
  });
});
