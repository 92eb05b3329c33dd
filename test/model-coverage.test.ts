import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useServer } from './support/use-server.js';
import { errorOf, signedQuery } from './support/signed-http.js';

/**
 * Every operation of the committed IAM and STS models, called with no parameters as the root user
 * (signed for the model's service), gets a ValidationError, another AWS error or a result: never
 * InvalidAction (an operation iamd does not serve) and never ServiceFailure. A botocore update that
 * adds an operation fails here.
 *
 * KNOWN_MISSING holds the operations not built yet (none today); it may only shrink: the test fails
 * when a listed operation is served (remove it from the list) and when an unlisted one is missing.
 * `node scripts/list-missing-operations.mjs` prints the same lists from the built tables.
 */
const SERVICES = [
  { service: 'iam', file: 'iam.json', KNOWN_MISSING: [] as readonly string[] },
  { service: 'sts', file: 'sts.json', KNOWN_MISSING: [] as readonly string[] },
] as const;

const api = useServer();

for (const { service, file, KNOWN_MISSING } of SERVICES) {
  const model = JSON.parse(fs.readFileSync(new URL(`../src/protocol/model/${file}`, import.meta.url), 'utf8')) as {
    metadata: { apiVersion: string };
    operations: Record<string, unknown>;
  };
  const OPERATION_NAMES = Object.keys(model.operations).sort();

  describe(`every operation of the ${service.toUpperCase()} model`, () => {
    it('answers each with no parameters: a ValidationError, an AWS error or a result, never InvalidAction', async () => {
      const missing: string[] = [];
      const failures: string[] = [];
      for (const Action of OPERATION_NAMES) {
        const res = await signedQuery(api.url, { Action, Version: model.metadata.apiVersion }, { service });
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
}
