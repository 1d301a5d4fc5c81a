#!/usr/bin/env bash
# Installs the real peers the tests and the interop runner use, from Debian's packages, if they are missing:
# openssl (s_server/s_client), ngtcp2's gtlsserver/gtlsclient, and Go 1.19 + quic-go 0.29 sources.
# Idempotent and quiet when everything is present. Needs root (or passwordless sudo) for apt-get; without it, it only
# reports — unless QUICHS_REQUIRE_SYSTEM_DEPS=1 (CI), where anything still missing afterwards is an error.
set -euo pipefail

missing() {
  local need=()
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  [ -x /usr/sbin/gtlsserver ] || command -v gtlsserver >/dev/null 2>&1 || need+=(ngtcp2-server)
  command -v gtlsclient >/dev/null 2>&1 || need+=(ngtcp2-client)
  [ -x /usr/lib/go-1.19/bin/go ] || need+=(golang-1.19-go)
  [ -d /usr/share/gocode/src/github.com/lucas-clemente/quic-go ] || need+=(golang-github-lucas-clemente-quic-go-dev)
  [ -d /usr/share/gocode/src/github.com/marten-seemann/qtls-go1-19 ] || need+=(golang-github-marten-seemann-qtls-go1-19-dev)
  echo "${need[@]}"
}

read -r -a need <<<"$(missing)"
[ ${#need[@]} -eq 0 ] && exit 0
strict=${QUICHS_REQUIRE_SYSTEM_DEPS:-0}
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "ensure-system-deps: missing ${need[*]} and not root; install them with apt-get" >&2
    [ "$strict" = 1 ] && exit 1
    exit 0
  fi
fi
echo "ensure-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
read -r -a still <<<"$(missing)"
if [ ${#still[@]} -ne 0 ]; then
  echo "ensure-system-deps: still missing after apt-get: ${still[*]}" >&2
  exit 1
fi
