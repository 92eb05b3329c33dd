/**
 * A wrk script for the shell benches (access-log-wrk.sh, wrk-cpu-per-request.sh): a Query POST to
 * URL of the given parameters, signed now with IAMD_ROOT_ACCESS_KEY_ID / IAMD_ROOT_SECRET_ACCESS_KEY
 * as `npm run bench` signs its wrk requests (presign), or unsigned with --unsigned. A signature
 * stays valid for 15 minutes, so make the script just before the run.
 *
 *   node dist-bench/bench/wrk-lua.js [--unsigned] URL Action=GetUser [Name=Value ...] > request.lua
 */
import { queryBody } from './support.js';
import { luaScript, presign } from './wrk.js';

const args = process.argv.slice(2);
const unsigned = args[0] === '--unsigned';
const [url, ...pairs] = unsigned ? args.slice(1) : args;
if (url === undefined) throw new Error('usage: wrk-lua.js [--unsigned] URL Action=... [Name=Value ...]');
const params = Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
function signed(): ReturnType<typeof presign> {
  const accessKeyId = process.env.IAMD_ROOT_ACCESS_KEY_ID;
  const secretAccessKey = process.env.IAMD_ROOT_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('IAMD_ROOT_ACCESS_KEY_ID and IAMD_ROOT_SECRET_ACCESS_KEY sign the request');
  return presign(url!, { accessKeyId, secretAccessKey }, params);
}
process.stdout.write(
  luaScript(unsigned ? { url, body: queryBody(params), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : signed()),
);
