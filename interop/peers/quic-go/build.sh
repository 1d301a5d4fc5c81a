#!/usr/bin/env bash
# Builds the quic-go 0.29 peer offline from Debian's sources with Go 1.19 in GOPATH mode (quic-go 0.29 refuses Go >= 1.20).
# The program lives under quic-go's import path in an overlay GOPATH so it may set quic-go's internal key-update interval
# (the "keyupdate" cases) and its supported-version list (the "versionnegotiation" case), as quic-go's own interop
# endpoint does. Output: interop/peers/quic-go/quicgo-peer (git-ignored); rebuilt when a .go file is newer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/quicgo-peer}
src=/usr/share/gocode/src/github.com/lucas-clemente/quic-go
go=/usr/lib/go-1.19/bin/go
[ -x "$go" ] && [ -d "$src" ] || bash "$here/../../../scripts/ensure-system-deps.sh"
if [ -x "$out" ]; then
  stale=0
  for f in "$here"/*.go; do [ "$f" -nt "$out" ] && stale=1; done
  [ $stale -eq 0 ] && exit 0
fi
overlay=$(mktemp -d)
trap 'rm -rf "$overlay"' EXIT
qdir=$overlay/src/github.com/lucas-clemente/quic-go
mkdir -p "$qdir"
for e in "$src"/*; do ln -s "$e" "$qdir/"; done
mkdir -p "$qdir/quichspeer" && cp "$here"/*.go "$qdir/quichspeer/"
cd "$qdir/quichspeer"
rm -f "$out.tmp"
GO111MODULE=off GOPATH="$overlay:/usr/share/gocode" GOPROXY=off GOFLAGS=-mod=mod GOCACHE="${GOCACHE:-$HOME/.cache/quichs-go-build}" \
  "$go" build -o "$out.tmp" . 2>&1 | grep -v '^go: warning' >&2 || true
[ -x "$out.tmp" ] || { echo "quic-go peer build failed" >&2; exit 1; }
mv "$out.tmp" "$out"
