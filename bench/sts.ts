/**
 * STS figures alone (see sts-measure.ts):
 *
 *   npm run bench:sts
 */
import { measureSts } from './sts-measure.js';
import { printTable } from './support.js';

const f = await measureSts();
printTable('STS (memory store, one sequential client, median of 7 rounds)', [
  ['AssumeRole', `${f.assumeRolePerSecond.toFixed(0)} req/s (${(1000 / f.assumeRolePerSecond).toFixed(2)} ms)`],
  ['GetRole signed with an access key', `${f.keyReadMs.toFixed(3)} ms`],
  ['GetRole signed with session credentials', `${f.sessionReadMs.toFixed(3)} ms`],
  ['session / access key', `${f.ratio.toFixed(2)}x`],
]);
