#!/usr/bin/env bash
# Builds the sandbox (pause) binary static, for this machine's architecture:
#   resources/sandbox/bin/pause-linux-<arch>   (arch as Docker names it: amd64, arm64, ...)
#   resources/sandbox/bin/relay-linux-<arch>   (Service relay; without it pods cannot reach Services by name)
#   resources/sandbox/bin/agent-linux-<arch>   (node agent of the pod overlay; without it pods reach only their own node)
# Run by `npm install` (postinstall) when gcc exists; without gcc the lab pulls registry.k8s.io/pause instead.
# Skips the build when the binary is newer than pause.c.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$here/resources/sandbox/pause.c"
[ "$(uname -s)" = Linux ] || { echo "build-pause: not Linux, skipped (the lab pulls registry.k8s.io/pause:3.10)"; exit 0; }
command -v gcc >/dev/null 2>&1 || { echo "build-pause: gcc not found, skipped (the lab pulls registry.k8s.io/pause:3.10)"; exit 0; }
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  armv7l) arch=arm ;;
  ppc64le) arch=ppc64le ;;
  s390x) arch=s390x ;;
  riscv64) arch=riscv64 ;;
  *) arch="$(uname -m)" ;;
esac
version="$(node -p "require('$here/package.json').version" 2>/dev/null || echo 0.0.0)"
# the Service relay (resources/sandbox/relay.c) is built the same way, next to pause
build() {
  local name="$1" src="$here/resources/sandbox/$1.c" out="$here/resources/sandbox/bin/$1-linux-$arch"
  mkdir -p "$(dirname "$out")"
  if [ -x "$out" ] && [ "$out" -nt "$src" ]; then echo "build-pause: $out up to date"; return 0; fi
  if gcc -static -Os -Wall -Wextra -DVERSION="\"$version\"" -o "$out.tmp" "$src" 2>"$out.log"; then
    strip "$out.tmp" 2>/dev/null || true
    mv "$out.tmp" "$out"; rm -f "$out.log"
    echo "build-pause: built $out"
  else
    # a failed build must not fail `npm install`: the runtime falls back to pulling the upstream image
    echo "build-pause: gcc -static failed (see $out.log); the lab will pull registry.k8s.io/pause:3.10" >&2
    rm -f "$out.tmp"
  fi
}
build pause
build relay
build agent
