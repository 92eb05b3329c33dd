/**
 * A request's view of the store (src/domain/request-cache.ts) over the server's real store: a user
 * is read once however many steps ask for it, by name (any case) or by id; anything else asked of
 * the store forgets every lookup, so a read after a write or a race is fresh. The repository's
 * methods are watched (vi.spyOn calls through to the real ones) to count the reads that reach it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CreateUserCommand } from '@aws-sdk/client-iam';
import { withRequestCache } from '../src/domain/request-cache.js';
import type { User } from '../src/domain/entities.js';
import { useServer } from './support/use-server.js';
import { uniqueName } from './support/server.js';

const api = useServer();

async function newUser(): Promise<string> {
  const name = uniqueName('cached');
  await api.iam.send(new CreateUserCommand({ UserName: name }));
  return name;
}

function watchedLookups() {
  const users = api.domain.store.users;
  return { byName: vi.spyOn(users, 'getByName'), byId: vi.spyOn(users, 'getById') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the request cache', () => {
  it('reads a user once by name, in any case, and then finds it by id without a read', async () => {
    const name = await newUser();
    const reads = watchedLookups();
    const { store } = withRequestCache(api.domain);
    const first = (await store.users.getByName(name)) as User;
    expect(first.name).toBe(name);
    expect(await store.users.getByName(name.toUpperCase())).toBe(first);
    expect(await store.users.getById(first.id)).toBe(first);
    expect(reads.byName).toHaveBeenCalledTimes(1);
    expect(reads.byId).not.toHaveBeenCalled();
  });

  it('finds a user read by id by its name, and keeps a miss', async () => {
    const name = await newUser();
    const id = ((await api.domain.store.users.getByName(name)) as User).id;
    const reads = watchedLookups();
    const { store } = withRequestCache(api.domain);
    const user = await store.users.getById(id);
    expect(await store.users.getByName(name)).toBe(user);
    expect(await store.users.getByName('no-such-user-here')).toBeUndefined();
    expect(await store.users.getByName('NO-SUCH-USER-HERE')).toBeUndefined();
    expect(reads.byId).toHaveBeenCalledTimes(1);
    expect(reads.byName).toHaveBeenCalledTimes(1);
  });

  it('keeps users and roles apart, and each request its own lookups', async () => {
    const name = await newUser();
    const reads = watchedLookups();
    const one = withRequestCache(api.domain).store;
    const other = withRequestCache(api.domain).store;
    expect(await one.roles.getByName(name)).toBeUndefined(); // a role of the user's name: none
    expect(await one.users.getByName(name)).toBeDefined();
    expect(await other.users.getByName(name)).toBeDefined();
    expect(reads.byName).toHaveBeenCalledTimes(2);
  });

  it('forgets every lookup when anything else is asked of the store, a read included', async () => {
    const name = await newUser();
    const reads = watchedLookups();
    const { store } = withRequestCache(api.domain);
    const before = (await store.users.getByName(name)) as User;
    await store.accessKeys.listForOwner(before.id);
    const after = (await store.users.getByName(name)) as User;
    expect(reads.byName).toHaveBeenCalledTimes(2);
    await store.users.getById(after.id); // found by its name again: no read
    expect(reads.byId).not.toHaveBeenCalled();
  });

  it('does not take in a lookup that finished after the store was asked something else', async () => {
    const name = await newUser();
    const reads = watchedLookups();
    const { store } = withRequestCache(api.domain);
    const pending = store.users.getByName(name);
    const forget = store.accessKeys.listForOwner('AIDANOSUCHUSER000000');
    const user = (await pending) as User;
    await forget;
    // Had the lookup by name left the user under its id after all, this would be no read.
    await store.users.getById(user.id);
    expect(reads.byId).toHaveBeenCalledTimes(1);
    // The fresh lookup by id, for its part, is found by name.
    await store.users.getByName(name);
    expect(reads.byName).toHaveBeenCalledTimes(1);
  });

  it('forgets a lookup that failed, so the next one reads again', async () => {
    const name = await newUser();
    const reads = watchedLookups();
    reads.byName.mockRejectedValueOnce(new Error('the connection dropped'));
    const { store } = withRequestCache(api.domain);
    await expect(store.users.getByName(name)).rejects.toThrow('the connection dropped');
    expect(((await store.users.getByName(name)) as User).name).toBe(name);
    expect(reads.byName).toHaveBeenCalledTimes(2);
  });
});
