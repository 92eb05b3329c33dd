/**
 * The handlers' input types (src/protocol/model/inputs.ts) are generated from the committed
 * service models; this fails when a model changed and the types were not regenerated.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scripts/generate-input-types.mjs');

describe('generated input types', () => {
  it('src/protocol/model/inputs.ts is what scripts/generate-input-types.mjs writes from the models', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
