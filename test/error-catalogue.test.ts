import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, IamError, errors } from '../src/domain/errors.js';
import { MalformedPolicyDocumentError } from '../src/domain/policy/malformed.js';
import { IAM_MODEL } from '../src/protocol/query/model.js';

describe('error catalogue', () => {
  const modelled = new Map(
    Object.values(IAM_MODEL.shapes)
      .filter((s) => s.exception && s.error)
      .map((s) => [s.error!.code, s.error!.httpStatusCode]),
  );

  it('uses the service model’s HTTP status for every modelled error code', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      if (modelled.has(code)) expect({ code, status }).toEqual({ code, status: modelled.get(code) });
    }
  });

  it('documents every error code iamd can return in the README', () => {
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const catalogue = readme.slice(readme.indexOf('## Error codes'));
    for (const code of Object.keys(ERROR_STATUS)) expect(catalogue, `README lacks ${code}`).toContain(`\`${code}\``);
  });

  it('holds IamErrors for answers, not defects: they capture no stack frames, and every other error still does', () => {
    const limit = Error.stackTraceLimit;
    const refusal = errors.noSuchUser('nobody');
    expect(refusal).toBeInstanceOf(Error);
    expect(refusal.stack).toBe('IamError: The user with name nobody cannot be found.');
    expect(new MalformedPolicyDocumentError('Syntax errors in policy.', 'detail').stack).not.toMatch(/\n\s+at /);
    // The limit is put back: a defect's error (logged with its stack) keeps its frames.
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('a defect').stack).toMatch(/\n\s+at /);
    expect(new IamError('ServiceFailure', 'x')).toMatchObject({ code: 'ServiceFailure', status: 500, message: 'x', name: 'IamError' });
  });
});
