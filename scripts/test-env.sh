#!/usr/bin/env bash
# Test environment for kubelab: offline images, a local registry and a second Docker engine.
# Idempotent: every step checks first and only does what is missing, so it is cheap to rerun.
# Needs root (it starts dockerd). Prints one line per thing it did or found.
#
#   images   kubelab-test/busybox:latest, kubelab-test/nginx:1.22 (built offline, no pulls)
#   registry 127.0.0.1:5000 (/usr/bin/docker-registry) holding nginx:1.22 and busybox:latest
#   node2    a second dockerd: socket /run/docker-n2.sock, bridge br-n2 172.30.0.1/16,
#            docker context "kubelab-node2", with the test images loaded
#   vm1      an engine behind a boundary (as Docker Desktop, colima or a remote context): a dockerd in its own
#            network namespace "vm1", socket /run/docker-vm1.sock, bridge 10.123.0.1/24, pool 10.124.0.0/16,
#            blackhole routes for both here (nothing on this machine reaches its containers), docker context
#            "kubelab-vm1", with the test images loaded (its netns has no route to the registry)
#
# Names are mirrored in test/fixtures/env.ts; keep the two in step.
set -euo pipefail

STATE_DIR="${KUBELAB_TEST_STATE:-/var/lib/kubelab-test}"
MAIN_SOCK="/var/run/docker.sock"
N2_SOCK="/run/docker-n2.sock"
N2_CONTEXT="kubelab-node2"
N2_BRIDGE="br-n2"
N2_CIDR="172.30.0.1/16"
VM1_NETNS="vm1"
VM1_SOCK="/run/docker-vm1.sock"
VM1_CONTEXT="kubelab-vm1"
VM1_BIP="10.123.0.1/24"
VM1_BRIDGE_NET="10.123.0.0/24"
VM1_POOL="10.124.0.0/16"
REGISTRY="127.0.0.1:5000"
BUSYBOX_IMAGE="kubelab-test/busybox:latest"
NGINX_IMAGE="kubelab-test/nginx:1.22"
LABEL="io.kubelab.test-env=true"

say() { echo "test-env: $*"; }
die() { echo "test-env: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it starts dockerd and a bridge)"
mkdir -p "$STATE_DIR"

# --- packages (only if missing) ---------------------------------------------
APT_UPDATED=0
ensure_pkg() { # ensure_pkg PACKAGE COMMAND-OR-PATH
  local pkg="$1" probe="$2"
  if command -v "$probe" >/dev/null 2>&1 || [ -e "$probe" ]; then return 0; fi
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
  say "installing $pkg"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
}
ensure_pkg docker.io dockerd
ensure_pkg busybox-static /bin/busybox
ensure_pkg mmdebstrap mmdebstrap
ensure_pkg docker-registry /usr/bin/docker-registry
ensure_pkg curl curl
ensure_pkg iproute2 ip
file_static() { ! ldd "$1" >/dev/null 2>&1; }
if ! file_static /bin/busybox; then
  # /bin/busybox from the dynamic package is no use in a scratch image
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
  say "installing busybox-static (found a dynamic busybox)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
fi

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs="$1" what="$2"; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up within ${secs}s"
}

# --- main engine --------------------------------------------------------------
if docker -H "unix://$MAIN_SOCK" info >/dev/null 2>&1; then
  say "main engine answers at $MAIN_SOCK"
else
  say "starting main dockerd at $MAIN_SOCK (log $STATE_DIR/dockerd.log)"
  setsid dockerd --host "unix://$MAIN_SOCK" >"$STATE_DIR/dockerd.log" 2>&1 < /dev/null &
  wait_for 60 "main dockerd" docker -H "unix://$MAIN_SOCK" info
fi
D1=(docker -H "unix://$MAIN_SOCK")

has_image() { "$@" >/dev/null 2>&1; }

# --- busybox image -------------------------------------------------------------
# Bump when the image's contents change: an engine keeps images across runs, so a stale one must be rebuilt.
BUSYBOX_REV=2
BUSYBOX_REBUILT=0
busybox_rev() { "${D1[@]}" image inspect -f '{{index .Config.Labels "io.kubelab.test-env.rev"}}' "$BUSYBOX_IMAGE" 2>/dev/null; }
if [ "$(busybox_rev)" = "$BUSYBOX_REV" ]; then
  say "image $BUSYBOX_IMAGE present"
else
  BUSYBOX_REBUILT=1
  tmp="$(mktemp -d)"
  mkdir -p "$tmp/bin" "$tmp/www" "$tmp/tmp" "$tmp/etc" "$tmp/proc" "$tmp/sys" "$tmp/dev"
  cp /bin/busybox "$tmp/bin/busybox"
  # Every applet this busybox has, so `sh -c '...'` scripts in tests find what they expect.
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$tmp/bin/$applet"
  done
  mkdir -p "$tmp/usr"; ln -s ../bin "$tmp/usr/bin"; ln -s bin "$tmp/sbin"
  echo 'root:x:0:0:root:/root:/bin/sh' > "$tmp/etc/passwd"
  echo 'root:x:0:' > "$tmp/etc/group"
  echo 'kubelab busybox' > "$tmp/www/index.html"
  chmod 1777 "$tmp/tmp"
  tar -C "$tmp" -c . | "${D1[@]}" import \
    -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin:/usr/bin:/sbin' -c "LABEL $LABEL" -c "LABEL io.kubelab.test-env.rev=$BUSYBOX_REV" - "$BUSYBOX_IMAGE" >/dev/null
  rm -rf "$tmp"
  say "built $BUSYBOX_IMAGE"
fi

# --- nginx image (mmdebstrap, about 20 s the first time; the rootfs tar is cached) ---
NGINX_TAR="$STATE_DIR/nginx-rootfs.tar"
if has_image "${D1[@]}" image inspect "$NGINX_IMAGE"; then
  say "image $NGINX_IMAGE present"
else
  if [ ! -f "$NGINX_TAR" ] || [ ! -s "$NGINX_TAR" ]; then
    say "building nginx rootfs with mmdebstrap (about 20-60 s)"
    # Same mirror as the host's apt; logs to stdout/stderr so `kubectl logs` shows requests.
    mirror="/etc/apt/sources.list.d/debian.sources"
    [ -f "$mirror" ] || mirror="http://deb.debian.org/debian"
    mmdebstrap --quiet --format=tar --variant=apt --include=nginx-light \
      --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Check-Date "false"' \
      --customize-hook='ln -sf /dev/stdout "$1/var/log/nginx/access.log"' \
      --customize-hook='ln -sf /dev/stderr "$1/var/log/nginx/error.log"' \
      --customize-hook='rm -rf "$1/var/cache/apt/archives/"*.deb "$1/var/lib/apt/lists/"*' \
      bookworm "$NGINX_TAR.tmp" "$mirror" < /dev/null
    mv "$NGINX_TAR.tmp" "$NGINX_TAR"
  fi
  "${D1[@]}" import -c 'CMD ["nginx","-g","daemon off;"]' -c 'EXPOSE 80' \
    -c "LABEL $LABEL" "$NGINX_TAR" "$NGINX_IMAGE" >/dev/null
  say "built $NGINX_IMAGE"
fi

# --- local registry on 127.0.0.1:5000 -------------------------------------------
registry_up() { curl -fsS "http://$REGISTRY/v2/" >/dev/null 2>&1; }
if registry_up; then
  say "registry answers at $REGISTRY"
else
  mkdir -p "$STATE_DIR/registry/data"
  cat > "$STATE_DIR/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
  say "starting registry at $REGISTRY (log $STATE_DIR/registry.log)"
  setsid /usr/bin/docker-registry serve "$STATE_DIR/registry/config.yml" >"$STATE_DIR/registry.log" 2>&1 < /dev/null &
  wait_for 30 "registry" registry_up
fi
push_if_missing() { # push_if_missing LOCAL-IMAGE REPO TAG [FORCE]
  local image="$1" repo="$2" tag="$3" force="${4:-0}"
  if [ "$force" = 0 ] && curl -fsS "http://$REGISTRY/v2/$repo/manifests/$tag" \
       -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1; then
    say "registry holds $REGISTRY/$repo:$tag"
  else
    "${D1[@]}" tag "$image" "$REGISTRY/$repo:$tag"
    "${D1[@]}" push -q "$REGISTRY/$repo:$tag" >/dev/null
    # The registry name stays out of the local image list so pull tests really pull.
    "${D1[@]}" rmi "$REGISTRY/$repo:$tag" >/dev/null
    say "pushed $REGISTRY/$repo:$tag"
  fi
}
push_if_missing "$NGINX_IMAGE" nginx 1.22
push_if_missing "$BUSYBOX_IMAGE" busybox latest "$BUSYBOX_REBUILT"

# --- images only the registry holds, with layers of random data no engine has: pulling them really downloads ---
#   nginx-layers:1.22  kubelab-test/nginx:1.22 plus 3 layers of 8 MB (the base layer "Already exists")
#   layers:1           busybox plus 5 layers of 8 MB, for per-layer pull progress
push_pull_image() { # push_pull_image REPO TAG BASE DATA-LAYERS
  local repo="$1" tag="$2" base="$3" n="$4" ref="$REGISTRY/$1:$2"
  if curl -fsS "http://$REGISTRY/v2/$repo/manifests/$tag" \
       -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1; then
    say "registry holds $ref"
  else
    local tmp; tmp="$(mktemp -d)"
    echo "FROM $base" > "$tmp/Dockerfile"
    if [ "$base" = scratch ]; then
      mkdir -p "$tmp/rootfs/bin" "$tmp/rootfs/tmp"
      cp /bin/busybox "$tmp/rootfs/bin/busybox"
      for applet in sh sleep echo cat ls; do ln -sf busybox "$tmp/rootfs/bin/$applet"; done
      printf '%s\n' 'COPY rootfs/ /' 'ENV PATH=/bin' 'CMD ["/bin/sh"]' >> "$tmp/Dockerfile"
    fi
    for i in $(seq 1 "$n"); do
      head -c 8M /dev/urandom > "$tmp/layer$i"
      echo "COPY layer$i /data/layer$i" >> "$tmp/Dockerfile"
    done
    echo "LABEL $LABEL" >> "$tmp/Dockerfile"
    DOCKER_BUILDKIT=0 "${D1[@]}" build -q -t "$ref" "$tmp" >/dev/null 2>&1 || { rm -rf "$tmp"; die "could not build $ref"; }
    "${D1[@]}" push -q "$ref" >/dev/null
    rm -rf "$tmp"
    say "pushed $ref"
  fi
  # a copy left on the engine (the build, or a killed test run) would make the next pull a no-op
  if "${D1[@]}" image rm "$ref" >/dev/null 2>&1; then say "removed local $ref"; fi
}
push_pull_image nginx-layers 1.22 "$NGINX_IMAGE" 3
push_pull_image layers 1 scratch 5

# --- second engine (node2) --------------------------------------------------------
if ! ip link show "$N2_BRIDGE" >/dev/null 2>&1; then
  ip link add "$N2_BRIDGE" type bridge
  ip addr add "$N2_CIDR" dev "$N2_BRIDGE"
  say "created bridge $N2_BRIDGE $N2_CIDR"
fi
ip link set "$N2_BRIDGE" up
D2=(docker -H "unix://$N2_SOCK")
if "${D2[@]}" info >/dev/null 2>&1; then
  say "node2 engine answers at $N2_SOCK"
else
  mkdir -p /var/lib/docker-n2 /run/docker-n2
  say "starting node2 dockerd at $N2_SOCK (log $STATE_DIR/dockerd-n2.log)"
  setsid dockerd --host "unix://$N2_SOCK" --data-root /var/lib/docker-n2 \
    --exec-root /run/docker-n2 --pidfile /run/docker-n2.pid --bridge "$N2_BRIDGE" --iptables=false \
    >"$STATE_DIR/dockerd-n2.log" 2>&1 < /dev/null &
  wait_for 60 "node2 dockerd" "${D2[@]}" info
fi
# the pod overlay's node agents get /dev/net/tun from their engine (test/integration/overlay.test.ts)
if [ ! -c /dev/net/tun ]; then
  modprobe tun 2>/dev/null || true
  [ -c /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun; }
  say "made /dev/net/tun"
fi
# the main engine loads br_netfilter and sets FORWARD to DROP, so frames between containers on one bridge of node2
# (started with --iptables=false) would be dropped: node2's pods could not reach each other or the node's overlay agent
if command -v iptables >/dev/null 2>&1 && iptables -L DOCKER-USER -n >/dev/null 2>&1; then
  iptables -C DOCKER-USER -m physdev --physdev-is-bridged -j ACCEPT 2>/dev/null \
    || { iptables -I DOCKER-USER -m physdev --physdev-is-bridged -j ACCEPT && say "accepting bridged frames (DOCKER-USER physdev rule)"; }
fi
if docker context inspect "$N2_CONTEXT" >/dev/null 2>&1; then
  say "docker context $N2_CONTEXT present"
else
  # a concurrent run may have created it meanwhile: that is fine too
  docker context create "$N2_CONTEXT" --description "kubelab test node2" --docker "host=unix://$N2_SOCK" >/dev/null 2>&1 \
    || docker context inspect "$N2_CONTEXT" >/dev/null 2>&1 || die "could not create docker context $N2_CONTEXT"
  say "created docker context $N2_CONTEXT"
fi
for image in "$BUSYBOX_IMAGE" "$NGINX_IMAGE"; do
  if [ "$("${D2[@]}" image inspect -f '{{.Id}}' "$image" 2>/dev/null)" = "$("${D1[@]}" image inspect -f '{{.Id}}' "$image")" ]; then
    say "node2 has $image"
  else
    "${D1[@]}" save "$image" | "${D2[@]}" load -q >/dev/null
    say "loaded $image into node2"
  fi
done

# --- engine behind a boundary (vm1) -------------------------------------------------
# nsenter --net, not `ip netns exec`: that remounts /sys and dockerd then fails ("Devices cgroup isn't mounted")
if [ ! -e "/run/netns/$VM1_NETNS" ]; then
  ip netns add "$VM1_NETNS"
  say "created network namespace $VM1_NETNS"
fi
nsenter --net="/run/netns/$VM1_NETNS" ip link set lo up
# without these, packets for vm1's addresses leave by the default route and a stranger may answer
for route in "$VM1_BRIDGE_NET" "$VM1_POOL"; do
  if ip route show type blackhole | grep -q "^blackhole $route"; then say "blackhole route $route present"
  else ip route replace blackhole "$route"; say "added blackhole route $route"; fi
done
D3=(docker -H "unix://$VM1_SOCK")
if "${D3[@]}" info >/dev/null 2>&1; then
  say "vm1 engine answers at $VM1_SOCK"
else
  mkdir -p /var/lib/docker-vm1 /run/docker-vm1
  say "starting vm1 dockerd at $VM1_SOCK in netns $VM1_NETNS (log $STATE_DIR/dockerd-vm1.log)"
  setsid nsenter --net="/run/netns/$VM1_NETNS" dockerd --host "unix://$VM1_SOCK" --data-root /var/lib/docker-vm1 \
    --exec-root /run/docker-vm1 --pidfile /run/docker-vm1.pid --bip "$VM1_BIP" \
    --default-address-pool "base=$VM1_POOL,size=24" \
    >"$STATE_DIR/dockerd-vm1.log" 2>&1 < /dev/null &
  wait_for 60 "vm1 dockerd" "${D3[@]}" info
fi
if docker context inspect "$VM1_CONTEXT" >/dev/null 2>&1; then
  say "docker context $VM1_CONTEXT present"
else
  docker context create "$VM1_CONTEXT" --description "kubelab test engine behind a boundary" --docker "host=unix://$VM1_SOCK" >/dev/null 2>&1 \
    || docker context inspect "$VM1_CONTEXT" >/dev/null 2>&1 || die "could not create docker context $VM1_CONTEXT"
  say "created docker context $VM1_CONTEXT"
fi
for image in "$BUSYBOX_IMAGE" "$NGINX_IMAGE"; do
  if [ "$("${D3[@]}" image inspect -f '{{.Id}}' "$image" 2>/dev/null)" = "$("${D1[@]}" image inspect -f '{{.Id}}' "$image")" ]; then
    say "vm1 has $image"
  else
    "${D1[@]}" save "$image" | "${D3[@]}" load -q >/dev/null
    say "loaded $image into vm1"
  fi
done

# --- leftovers of labs that test runs started and never stopped (killed runs) --------------
# Only networks the lab labelled, with no container left in them: each lab makes one per engine, and
# an engine has room for about thirty before "could not find an available address pool".
for d in "unix://$MAIN_SOCK" "unix://$N2_SOCK" "unix://$VM1_SOCK"; do
  pruned="$(docker -H "$d" network prune -f --filter label=kubelab.io/cluster 2>/dev/null | grep -c '^kubelab-' || true)"
  [ "$pruned" = 0 ] || say "removed $pruned unused lab network(s) on $d"
done

say "ready: images $BUSYBOX_IMAGE $NGINX_IMAGE; registry $REGISTRY; node2 $N2_SOCK (context $N2_CONTEXT); vm1 $VM1_SOCK (context $VM1_CONTEXT, behind a boundary)"
