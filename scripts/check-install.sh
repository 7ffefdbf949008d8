#!/usr/bin/env bash
# The install path as a user takes it: `npm pack` the repo, `npm install -g` the tarball into a temp
# prefix (production dependencies only; better-sqlite3 compiles again, ~2 minutes without a prebuilt
# binary), then run the installed `tdfwd` from PATH, outside the repo: --version, send, status.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tdfwd-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }

echo "check-install: npm pack"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
[ -f "$work/$tarball" ] || fail "npm pack wrote no tarball ($tarball)"
tar -tzf "$work/$tarball" >"$work/contents.txt"
for f in package/bin/tdfwd.js package/dist/cli/main.js package/examples/tdfwd.service; do
  grep -qx "$f" "$work/contents.txt" || fail "the tarball lacks $f (check package.json \"files\")"
done

echo "check-install: npm install -g --prefix $work/prefix $tarball"
npm install -g --prefix "$work/prefix" --no-audit --no-fund "$work/$tarball"

cd "$work"
# What `npm install -g` puts on PATH: the prefix's bin/ (only it, so a tdfwd elsewhere cannot answer).
export PATH="$work/prefix/bin:$(dirname "$(command -v node)"):/usr/bin:/bin"
unset TDFWD_CONFIG TDFWD_BUFFER TD_API_KEY TD_API_SERVER
[ "$(command -v tdfwd)" = "$work/prefix/bin/tdfwd" ] || fail "tdfwd is not on PATH from the prefix (got: $(command -v tdfwd || echo nothing))"

expected=$(node -p "require('$repo/package.json').version")
version=$(tdfwd --version)
[ "$version" = "$expected" ] || fail "tdfwd --version printed '$version', expected '$expected'"

printf '{"seq":1}\n{"seq":2}\nnot json\n' | tdfwd --buffer "$work/buf" send --tag td.install.check --format json
tdfwd --buffer "$work/buf" status --json >"$work/status.json"
pending=$(node -p "JSON.parse(require('fs').readFileSync('$work/status.json', 'utf8')).pending_records")
[ "$pending" = "3" ] || fail "status after send reports $pending pending records, expected 3"
tdfwd --buffer "$work/buf" status
echo "check-install: ok (tdfwd $version installed from $tarball, send + status on a temp buffer)"
