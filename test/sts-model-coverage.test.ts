import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useServer } from './support/use-server.js';
import { errorOf, signedQuery } from './support/signed-http.js';

/**
 * test/model-coverage.test.ts for STS: every operation of the committed STS model, called with no
 * parameters as the root user (signed for sts), gets a ValidationError, another AWS error or a
 * result, never InvalidAction and never ServiceFailure. KNOWN_MISSING may only shrink, as there.
 */
const KNOWN_MISSING: readonly string[] = [];

const model = JSON.parse(fs.readFileSync(new URL('../src/protocol/model/sts.json', import.meta.url), 'utf8')) as {
  metadata: { apiVersion: string };
  operations: Record<string, unknown>;
};
const OPERATION_NAMES = Object.keys(model.operations).sort();

const api = useServer();

describe('every operation of the STS model', () => {
  it('answers each with no parameters: a ValidationError, an AWS error or a result, never InvalidAction', async () => {
    const missing: string[] = [];
    const failures: string[] = [];
    for (const Action of OPERATION_NAMES) {
      const res = await signedQuery(api.url, { Action, Version: model.metadata.apiVersion }, { service: 'sts' });
      if (res.status === 200) {
        expect(res.body, Action).toContain(`<${Action}Response `);
        continue;
      }
      const { code, message } = errorOf(res.body);
      if (code === 'InvalidAction') missing.push(Action);
      else if (code === undefined || code === 'ServiceFailure' || res.status >= 500) failures.push(`${Action}: ${res.status} ${code} ${message}`);
    }
    expect(failures).toEqual([]);
    expect(KNOWN_MISSING.filter((name) => !missing.includes(name))).toEqual([]);
    expect(missing.filter((name) => !KNOWN_MISSING.includes(name))).toEqual([]);
  });

  it('lists in KNOWN_MISSING only operations the model has, each once', () => {
    expect(KNOWN_MISSING.filter((name) => !OPERATION_NAMES.includes(name))).toEqual([]);
    expect(new Set(KNOWN_MISSING).size).toBe(KNOWN_MISSING.length);
  });
});
