#!/usr/bin/env node
/**
 * Lists the operations of the committed IAM model (src/protocol/model/iam.json) that iamd's
 * operation table does not serve: each would answer InvalidAction today.
 *
 *   npm run build && node scripts/list-missing-operations.mjs          # one name a line
 *   npm run build && node scripts/list-missing-operations.mjs --count  # served / missing / total
 *
 * It reads the built table (dist/protocol/operations.js), so build first; the source of truth
 * for the test is test/model-coverage.test.ts, which calls every operation against a real server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist/protocol/operations.js');
if (!fs.existsSync(built)) {
  console.error('list-missing-operations: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { OPERATIONS } = await import(pathToFileURL(built).href);
const model = JSON.parse(fs.readFileSync(path.join(root, 'src/protocol/model/iam.json'), 'utf8'));

const all = Object.keys(model.operations).sort();
const missing = all.filter((name) => !Object.hasOwn(OPERATIONS, name));
if (process.argv.includes('--count')) {
  console.log(`served ${all.length - missing.length} / missing ${missing.length} / model ${all.length}`);
} else {
  for (const name of missing) console.log(name);
}
