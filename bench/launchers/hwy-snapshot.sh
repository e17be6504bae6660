#!/bin/sh
# The launcher hwy shipped as bin/hwy before the JavaScript one (a shell script, which npm's Windows shims
# cannot run), kept to measure start-up against (bench/startup.mjs). The snapshot lives in
# $HWY_SNAPSHOT_DIR, which the benchmark builds.
self=$(readlink -f -- "$0" 2>/dev/null) || self=$0
root=${self%/*}/../..
blob=$HWY_SNAPSHOT_DIR/hwy.snapshot.blob
case $1 in
  check | summary | compile | explain)
    node=$(command -v node)
    stored=
    [ -f "$HWY_SNAPSHOT_DIR/hwy.snapshot.node" ] && read -r stored < "$HWY_SNAPSHOT_DIR/hwy.snapshot.node"
    if [ -f "$blob" ] && [ "$stored" = "$node" ] && [ "$node" -ot "$blob" ] && [ -z "$HWY_NO_SNAPSHOT" ]; then
      node --snapshot-blob "$blob" "$@"
      rc=$?
      # 14: Node could not load the snapshot (another Node version); fall through.
      [ $rc -ne 14 ] && exit $rc
    fi
    ;;
esac
exec node "$root/bin/hwy.js" "$@"
