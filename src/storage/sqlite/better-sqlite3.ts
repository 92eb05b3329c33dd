import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * better-sqlite3, the build that is safe on the Node running iamd. Every module opens SQLite
 * through this one (test/sqlite-binding.test.ts refuses another import of the package at run time).
 *
 * - Node 22 and later: better-sqlite3 13, a Node-API addon shipped with its binaries.
 *   better-sqlite3 12 and earlier wrap their objects in node::ObjectWrap, whose destructor, when
 *   the addon is built against Node 24.19's headers or later, checks for a JavaScript context that a
 *   garbage collection run between two tasks does not have: a Statement collected then aborts the
 *   process ("Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook,
 *   nodejs/node#65446). iamd drops statements it prepared once (migrations, a test reset's
 *   DELETEs); iamd's own test suite aborted on Node 24 within seconds.
 * - Node 20: better-sqlite3 13 does not run there (it crashes on its first statements), so Node
 *   20 keeps 12, installed under the alias better-sqlite3-node20 as an optional dependency (a
 *   machine on Node 22 or later that cannot build it installs without it). Node 20 is past its
 *   end of life: this branch, and the alias, go when iamd stops running on it.
 */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const PACKAGE = NODE_MAJOR >= 22 ? 'better-sqlite3' : 'better-sqlite3-node20';

function load(): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)(PACKAGE) as typeof BetterSqlite3;
  } catch (e) {
    if (PACKAGE === 'better-sqlite3-node20' && (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new Error(`iamd on Node ${process.version} needs better-sqlite3 12, the optional dependency better-sqlite3-node20, which is not installed (it failed to build?): install it, or run iamd on Node 22 or later`, { cause: e });
    }
    throw e;
  }
}

export const Database: typeof BetterSqlite3 = load();
