/**
 * CPU per readInput (src/protocol/query/read-input.ts): an operation's Query parameters read and
 * validated against its input shape, in-process, for a one-member input (GetUser) and a nine-member
 * one (UpdateAccountPasswordPolicy). Every signed request pays this once.
 *
 *   npm run build && tsc -p bench/tsconfig.json && node dist-bench/bench/read-input-cost.js
 */
import { readInput } from '../src/protocol/query/read-input.js';
import { IAM_MODEL } from '../src/protocol/query/model.js';

const CASES: [string, string, Record<string, string>][] = [
  ['GetUser', 'GetUserRequest', { UserName: 'alice' }],
  [
    'UpdateAccountPasswordPolicy',
    'UpdateAccountPasswordPolicyRequest',
    {
      MinimumPasswordLength: '12',
      RequireSymbols: 'true',
      RequireNumbers: 'true',
      RequireUppercaseCharacters: 'true',
      RequireLowercaseCharacters: 'true',
      AllowUsersToChangePassword: 'true',
      MaxPasswordAge: '90',
      PasswordReusePrevention: '5',
      HardExpiry: 'false',
    },
  ],
];
const N = 300_000;

console.log('| input | members | µs CPU each |');
console.log('|---|---:|---:|');
for (const [name, shape, parameters] of CASES) {
  const params = new Map(Object.entries(parameters));
  for (let i = 0; i < N / 5; i++) await readInput(IAM_MODEL, shape, params); // warm: compiled before timing
  const started = process.cpuUsage();
  for (let i = 0; i < N; i++) await readInput(IAM_MODEL, shape, params);
  const used = process.cpuUsage(started);
  console.log(`| ${name} | ${params.size} | ${((used.user + used.system) / N).toFixed(2)} |`);
}
