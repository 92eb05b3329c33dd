/**
 * Answers written together at the end of a turn of the event loop (src/server/coalesced-writes.ts):
 * on its own, then through the server, where every answer must still reach the request it answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { CoalescedWrites } from '../src/server/coalesced-writes.js';
import { awsError, iamClient, startServer, type TestServer } from './support/server.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('CoalescedWrites', () => {
  it('writes nothing at once, then everything added in the turn, in the order added', async () => {
    const written: string[] = [];
    const writes = new CoalescedWrites((e) => {
      throw e;
    });
    writes.add(() => written.push('a'));
    await Promise.resolve(); // a microtask later is still the same turn
    writes.add(() => written.push('b'));
    expect(written).toEqual([]);
    await nextTurn();
    expect(written).toEqual(['a', 'b']);
    // Added after the flush: the next turn's.
    writes.add(() => written.push('c'));
    expect(written).toEqual(['a', 'b']);
    await nextTurn();
    expect(written).toEqual(['a', 'b', 'c']);
  });

  it('reports a write that throws, and writes the rest of its turn all the same', async () => {
    const written: string[] = [];
    const failures: unknown[] = [];
    const writes = new CoalescedWrites((e) => failures.push(e));
    writes.add(() => written.push('before'));
    writes.add(() => {
      throw new Error('socket gone');
    });
    writes.add(() => written.push('after'));
    await nextTurn();
    expect(written).toEqual(['before', 'after']);
    expect(failures).toEqual([new Error('socket gone')]);
  });
});

describe('the Query API, its answers coalesced', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('answers each of many requests arriving at once, found and refused alike, with its own answer', async () => {
    server = await startServer();
    const iam = iamClient(server.url);
    const names = Array.from({ length: 30 }, (_, i) => `coalesced-${i}`);
    await Promise.all(names.map((UserName) => iam.send(new CreateUserCommand({ UserName }))));
    // Up to 50 connections at once (the SDK's pool): answers of one turn are written together.
    const found = names.map((UserName) => iam.send(new GetUserCommand({ UserName })));
    const refused = names.map((UserName) => awsError(iam.send(new GetUserCommand({ UserName: `${UserName}-missing` }))));
    const [users, errors] = await Promise.all([Promise.all(found), Promise.all(refused)]);
    expect(users.map((u) => u.User!.UserName)).toEqual(names);
    expect(new Set(users.map((u) => u.$metadata.requestId)).size).toBe(names.length);
    expect(errors).toEqual(names.map((UserName) => ({ code: 'NoSuchEntity', status: 404, message: `The user with name ${UserName}-missing cannot be found.` })));
    iam.destroy();
  });
});
