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
 */
export function withRequestCache(domain: Domain): Domain {
  const seen = new Map<string, Promise<unknown>>();
  const properties: PropertyDescriptorMap = {};
  for (const [name, repository] of Object.entries(domain.store)) {
    if (typeof repository !== 'object' || repository === null) continue;
    const lookups = name === 'users' || name === 'roles' ? LOOKUPS : NONE;
    properties[name] = { value: remembering(name, repository as object, lookups, seen), enumerable: true };
  }
  return { ...domain, store: Object.create(domain.store, properties) as Store };
}

const LOOKUPS: ReadonlySet<PropertyKey> = new Set(['getByName', 'getById']);
const NONE: ReadonlySet<PropertyKey> = new Set();

type Method = (...args: unknown[]) => unknown;

function remembering<R extends object>(kind: string, repository: R, lookups: ReadonlySet<PropertyKey>, seen: Map<string, Promise<unknown>>): R {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (!lookups.has(property)) {
        return (...args: unknown[]) => {
          seen.clear();
          return (value as Method).apply(target, args);
        };
      }
      // Names are found regardless of case; ids are exact. A miss is remembered too.
      const key = (by: PropertyKey, k: string) => `${kind}.${String(by)}:${by === 'getByName' ? k.toLowerCase() : k}`;
      return (k: string) => {
        let found = seen.get(key(property, k));
        if (!found) {
          found = (value as Method).call(target, k) as Promise<unknown>;
          const promise = found;
          seen.set(key(property, k), promise);
          // Found by id, it is found by its name too (and the other way round).
          promise.then(
            (entity) => {
              const e = entity as { id?: string; name?: string } | undefined;
              if (e?.id !== undefined && e.name !== undefined && seen.get(key(property, k)) === promise) {
                seen.set(key('getById', e.id), promise);
                seen.set(key('getByName', e.name), promise);
              }
            },
            () => seen.delete(key(property, k)),
          );
        }
        return found;
      };
    },
  });
}
