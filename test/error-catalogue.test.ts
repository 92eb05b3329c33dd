import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../src/domain/errors.js';
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
});
