#!/usr/bin/env bash
# chdb-lib.sh: the chDB shared library for the `chdb` build-tagged tests.
#
# chdb-go loads libchdb.so at init (through purego, no cgo) from
# CHDB_LIB_PATH. This script installs the pinned npm package that ships the
# library into .local/chdb under the repository, if it is not there yet, and
# prints the absolute path of libchdb.so on stdout.
#
#   CHDB_LIB_PATH=$(deploy/chdb-lib.sh) go test -tags chdb ./internal/storage/
#
# Environment: VIGIA_CHDB_DIR (default .local/chdb under the repository).
set -euo pipefail

pkg='@chdb/lib-linux-x64-gnu'
version='26.7.3-stable.1'

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${VIGIA_CHDB_DIR:-$here/.local/chdb}

log() { echo "chdb-lib: $*" >&2; }

find_lib() {
  { find "$dir/node_modules/$pkg" -name libchdb.so -type f 2>/dev/null || true; } | head -n 1
}

installed_version() {
  local manifest="$dir/node_modules/$pkg/package.json"
  [ -f "$manifest" ] || return 0
  sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$manifest" | head -n 1
}

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) log "only linux/x86_64 is supported by $pkg; got $(uname -s)/$(uname -m)"; exit 1 ;;
esac

lib=$(find_lib)
if [ -z "$lib" ] || [ "$(installed_version)" != "$version" ]; then
  command -v npm >/dev/null 2>&1 || { log "npm is required to install $pkg@$version"; exit 1; }
  log "installing $pkg@$version into $dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "$pkg@$version" >&2
  lib=$(find_lib)
fi
[ -n "$lib" ] || { log "libchdb.so not found under $dir/node_modules/$pkg"; exit 1; }
echo "$lib"
