/**
 * STS figures: AssumeRole requests per second (one client, sequential), and the cost of a read
 * (GetRole) signed with session credentials against the same read signed with an access key
 * (issue 14's target: at most 1.2x). Rounds alternate between the two so that the machine's drift
 * falls on both. `npm run bench:sts` prints them alone; `npm run bench` adds them to its table.
 */
import { signRequest } from '../src/protocol/sigv4/sign.js';
import { median, ROOT, startIamd } from './support.js';

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

async function query(url: string, service: 'iam' | 'sts', params: Record<string, string>, credentials: Keys): Promise<string> {
  const target = new URL(url);
  const body = new URLSearchParams({ Version: service === 'iam' ? '2010-05-08' : '2011-06-15', ...params }).toString();
  const signed = signRequest(
    { method: 'POST', headers: { host: target.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
    { credentials, region: 'us-east-1', service },
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host').map(([k, v]) => [k, String(v)]));
  const res = await fetch(url + '/', { method: 'POST', headers, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${params.Action}: ${res.status} ${text}`);
  return text;
}
const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)![1]!;

export interface StsFigures {
  assumeRolePerSecond: number;
  keyReadMs: number;
  sessionReadMs: number;
  /** sessionReadMs / keyReadMs */
  ratio: number;
}

export async function measureSts(): Promise<StsFigures> {
  const server = await startIamd(['--memory']);
  try {
    const url = server.url;
    await query(url, 'iam', { Action: 'CreateUser', UserName: 'bench' }, ROOT);
    await query(url, 'iam', {
      Action: 'PutUserPolicy',
      UserName: 'bench',
      PolicyName: 'p',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetRole', 'sts:AssumeRole'], Resource: '*' }] }),
    }, ROOT);
    const created = await query(url, 'iam', { Action: 'CreateAccessKey', UserName: 'bench' }, ROOT);
    const user: Keys = { accessKeyId: tag(created, 'AccessKeyId'), secretAccessKey: tag(created, 'SecretAccessKey') };
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }] };
    await query(url, 'iam', { Action: 'CreateRole', RoleName: 'bench-role', AssumeRolePolicyDocument: JSON.stringify(trust) }, ROOT);
    await query(url, 'iam', {
      Action: 'PutRolePolicy',
      RoleName: 'bench-role',
      PolicyName: 'p',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }] }),
    }, ROOT);
    const assume = { Action: 'AssumeRole', RoleArn: 'arn:aws:iam::123456789012:role/bench-role', RoleSessionName: 'bench' };
    const assumed = await query(url, 'sts', assume, user);
    const session: Keys = { accessKeyId: tag(assumed, 'AccessKeyId'), secretAccessKey: tag(assumed, 'SecretAccessKey'), sessionToken: tag(assumed, 'SessionToken') };
    const read = { Action: 'GetRole', RoleName: 'bench-role' };

    const timed = async (n: number, f: () => Promise<unknown>) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await f();
      return Number(process.hrtime.bigint() - start) / 1e6 / n; // ms per request
    };
    await timed(300, () => query(url, 'iam', read, user)); // warm-up
    await timed(300, () => query(url, 'iam', read, session));
    await timed(100, () => query(url, 'sts', assume, user));
    const keyMs: number[] = [];
    const sessionMs: number[] = [];
    const assumeMs: number[] = [];
    for (let round = 0; round < 7; round++) {
      keyMs.push(await timed(300, () => query(url, 'iam', read, user)));
      sessionMs.push(await timed(300, () => query(url, 'iam', read, session)));
      assumeMs.push(await timed(100, () => query(url, 'sts', assume, user)));
    }
    const keyReadMs = median(keyMs);
    const sessionReadMs = median(sessionMs);
    return { assumeRolePerSecond: 1000 / median(assumeMs), keyReadMs, sessionReadMs, ratio: sessionReadMs / keyReadMs };
  } finally {
    await server.stop();
  }
}
