#!/bin/sh
# What installing hwy costs a user: packs this checkout (npm pack, which builds it), installs
# the tarball into an empty project with a fresh npm cache (everything downloaded, as on a
# new machine; --warm uses your npm cache instead) and prints the size of node_modules, the
# seconds `npm install` took and the largest packages. Uses the registry: a script, not a test.
# Usage: scripts/measure-install.sh [--warm]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hwy-install-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cache="$work/npm-cache"
[ "${1:-}" = "--warm" ] && cache=$(npm config get cache)

echo "packing $root ..."
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
echo "tarball: $tarball ($(du -h "$work/$tarball" | cut -f1))"

mkdir "$work/project"
cd "$work/project"
echo '{ "name": "measure-install", "version": "1.0.0", "private": true }' > package.json
ms() { node -e "process.stdout.write(String(Date.now()))"; }
start=$(ms)
npm install --no-audit --no-fund --cache "$cache" "$work/$tarball" > "$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
end=$(ms)

echo "npm install: $(awk "BEGIN { printf \"%.1f\", ($end - $start) / 1000 }") s ($( [ "${1:-}" = "--warm" ] && echo 'your npm cache' || echo 'an empty npm cache'))"
echo "node_modules: $(du -sh node_modules | cut -f1)"
echo "largest packages:"
# each package once: du counts a directory only the first time it is named, so no scope directories
for d in node_modules/* node_modules/@*/*; do
  case $d in node_modules/@*/* | node_modules/[!@]*) du -s "$d" ;; esac
done | sort -rn | head -n 10 | awk '{ printf "  %6.1f MB  %s\n", $1 / 1024, $2 }'
# the installed command works
./node_modules/.bin/hwy check node_modules/hwy-lang/specs/examples/tiny-mlp.hwy > /dev/null && echo "npx hwy check: ok"
