#!/usr/bin/env node
/**
 * Lists the operations of the committed IAM and STS models (src/protocol/model/iam.json, sts.json)
 * that iamd's operation tables do not serve: each would answer InvalidAction today. STS's are
 * prefixed `sts:`.
 *
 *   npm run build && node scripts/list-missing-operations.mjs          # one name a line
 *   npm run build && node scripts/list-missing-operations.mjs --count  # served / missing / total, per model
 *
 * It reads the built tables (dist/protocol/operations.js, sts-operations.js), so build first; the
 * source of truth for the tests is test/model-coverage.test.ts (both models),
 * which call every operation against a real server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = (file) => path.join(root, 'dist/protocol', file);
if (!fs.existsSync(built('operations.js')) || !fs.existsSync(built('sts-operations.js'))) {
  console.error('list-missing-operations: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { OPERATIONS } = await import(pathToFileURL(built('operations.js')).href);
const { STS_OPERATIONS } = await import(pathToFileURL(built('sts-operations.js')).href);
// The unsigned STS actions (AssumeRoleWithWebIdentity) are served before the table is consulted.
const { UNSIGNED_STS_ACTIONS } = await import(pathToFileURL(built('query-api.js')).href);

const services = [
  { name: 'iam', prefix: '', table: OPERATIONS },
  { name: 'sts', prefix: 'sts:', table: { ...STS_OPERATIONS, ...Object.fromEntries([...UNSIGNED_STS_ACTIONS.keys()].map((a) => [a, true])) } },
];
for (const { name, prefix, table } of services) {
  const model = JSON.parse(fs.readFileSync(path.join(root, `src/protocol/model/${name}.json`), 'utf8'));
  const all = Object.keys(model.operations).sort();
  const missing = all.filter((op) => !Object.hasOwn(table, op));
  if (process.argv.includes('--count')) {
    console.log(`${name}: served ${all.length - missing.length} / missing ${missing.length} / model ${all.length}`);
  } else {
    for (const op of missing) console.log(`${prefix}${op}`);
  }
}
