import type { Store } from '../ports/store.js';
import type { Domain } from './context.js';

/**
 * One request's view of the domain, in which a user or a role is read once: authentication, the
 * resource's ARN and tags for authorization, and the handler all ask for the same entity, and
 * only the first asks the store. (node-oidc-provider's per-request OIDCContext does the same.)
 *
 * A lookup is reused only while nothing else has been asked of the store since: any other call,
 * on any repository (a write, or a read that may follow one), forgets every lookup. So code that
 * reads again to learn what a race left behind (a user deleted while its login profile was being
 * created) always reads afresh. The view lives as long as the request.
 *
 * This runs on every request, so the view costs little: one object and one Map, two more Maps for
 * each of users and roles once looked up in; the wrappers' methods are made once per store (a
 * prototype per repository), and a repository's wrapper is made for a request only when the
 * request first touches it. (A Proxy per repository per request cost ~3% of a GetLoginProfile's
 * CPU in a profile, more than the lookups it saved.)
 */
export function withRequestCache(domain: Domain): Domain {
  const view = Object.create(cachingPrototype(domain.store)) as RequestStore;
  view[SEEN] = new Lookups();
  view[WRAPPERS] = {};
  return { ...domain, store: view as unknown as Store };
}

const SEEN = Symbol('seen lookups');
const WRAPPERS = Symbol('repositories touched');
const TARGET = Symbol('repository');

type LookupMaps = { byName: Map<string, Promise<unknown>>; byId: Map<string, Promise<unknown>> };

/**
 * The lookups a request has made since the store was last asked anything else: per repository
 * (users, roles) and per kind of key, each keyed by the id or the folded name as the request has
 * it. Maps of their own rather than one keyed by a text built per lookup ("users.getById:AIDA..."):
 * building and hashing that text cost more than the rest of the lookup (bench/request-instructions.ts).
 */
class Lookups {
  private readonly maps = new Map<string, LookupMaps>();

  /** The request's maps for one repository; made on its first lookup. */
  of(kind: string): LookupMaps {
    let maps = this.maps.get(kind);
    if (maps === undefined) this.maps.set(kind, (maps = { byName: new Map(), byId: new Map() }));
    return maps;
  }

  /**
   * Forgets every lookup: what a later read finds may have changed. A lookup still on its way
   * finishes into the maps dropped here, where nothing looks any more.
   */
  forget(): void {
    if (this.maps.size > 0) this.maps.clear();
  }
}

interface RequestStore {
  [SEEN]: Lookups;
  /** The request's wrapper of each repository it has touched, by name. */
  [WRAPPERS]: Record<string, Wrapper>;
}
interface Wrapper {
  [SEEN]: Lookups;
  [TARGET]: object;
}

type Method = (...args: unknown[]) => unknown;

const LOOKUP_REPOSITORIES: ReadonlySet<string> = new Set(['users', 'roles']);
const prototypes = new WeakMap<Store, object>();

/**
 * The prototype of every request view of one store: it inherits the store (so `clear`, `close` and
 * anything else read through), and each repository is a getter that makes the request's wrapper on
 * first use and keeps it on the view.
 */
function cachingPrototype(store: Store): object {
  let proto = prototypes.get(store);
  if (proto) return proto;
  proto = Object.create(store) as object;
  for (const [name, repository] of Object.entries(store)) {
    if (typeof repository !== 'object' || repository === null) continue;
    const wrapperPrototype = wrapperPrototypeFor(name, repository as object);
    Object.defineProperty(proto, name, {
      enumerable: true,
      get(this: RequestStore) {
        let wrapper = this[WRAPPERS][name];
        if (wrapper === undefined) {
          wrapper = Object.create(wrapperPrototype) as Wrapper;
          wrapper[SEEN] = this[SEEN];
          wrapper[TARGET] = repository as object;
          // Kept aside, not defined on the view: redefining a property per request cost more than the wrapper.
          this[WRAPPERS][name] = wrapper;
        }
        return wrapper;
      },
    });
  }
  prototypes.set(store, proto);
  return proto;
}

/** Every method of a repository, once: lookups remember (users and roles), the rest forget. */
function wrapperPrototypeFor(kind: string, repository: object): object {
  const proto = Object.create(repository) as Record<string, unknown>;
  for (const name of methodNames(repository)) {
    if (LOOKUP_REPOSITORIES.has(kind) && (name === 'getByName' || name === 'getById')) {
      proto[name] = function (this: Wrapper, k: string) {
        return remembered(this, kind, name, k);
      };
    } else {
      proto[name] = function (this: Wrapper, ...args: unknown[]) {
        this[SEEN].forget();
        return ((this[TARGET] as Record<string, Method>)[name] as Method).apply(this[TARGET], args);
      };
    }
  }
  return proto;
}

/** Names are found regardless of case; ids are exact. A miss is remembered too. */
function remembered(wrapper: Wrapper, kind: string, by: 'getByName' | 'getById', k: string): Promise<unknown> {
  const maps = wrapper[SEEN].of(kind);
  const seen = by === 'getByName' ? maps.byName : maps.byId;
  const key = by === 'getByName' ? k.toLowerCase() : k;
  const found = seen.get(key);
  if (found) return found;
  const promise = ((wrapper[TARGET] as Record<string, Method>)[by] as Method).call(wrapper[TARGET], k) as Promise<unknown>;
  seen.set(key, promise);
  // Found by id, it is found by its name too (and the other way round).
  promise.then(
    (entity) => {
      const e = entity as { id?: string; name?: string } | undefined;
      if (e?.id !== undefined && e.name !== undefined && seen.get(key) === promise) {
        maps.byId.set(e.id, promise);
        maps.byName.set(e.name.toLowerCase(), promise);
      }
    },
    () => {
      if (seen.get(key) === promise) seen.delete(key);
    },
  );
  return promise;
}

/** The function-valued properties of an object and its prototypes, up to Object.prototype. */
function methodNames(object: object): Set<string> {
  const names = new Set<string>();
  for (let o: object | null = object; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (descriptor && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return names;
}
