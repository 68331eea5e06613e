#!/usr/bin/env bash
# Builds the lab's Kubernetes binaries from the Go module proxy into a cache outside the repository:
#   ${KUSTODY_LAB_CACHE:-$HOME/.cache/kustody/lab}/<k8s version>/bin
# Binaries that already exist there are skipped, so a second run takes seconds.
# Usage: bash test/lab/build.sh
#   env: KUSTODY_LAB_K8S_VERSION (v1.35.4), KUSTODY_LAB_KUBE_ROUTER_VERSION (newest v2 on the proxy),
#        KUSTODY_LAB_CACHE, KUSTODY_LAB_GO (path to `go`), GOPROXY (as for any Go build)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "$HERE/lib/common.sh"

K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)

# The build may only use the local toolchain and the module proxy: no toolchain downloads, and
# GOFLAGS=-mod=mod lets the wrapper modules resolve versions without a vendor directory.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOMAXPROCS=2 CGO_ENABLED=0

# Finds a Go toolchain or stops with a message naming what is missing.
find_go() {
  if [[ -n "${KUSTODY_LAB_GO:-}" ]]; then
    [[ -x "$KUSTODY_LAB_GO" ]] || die "no Go toolchain at KUSTODY_LAB_GO=$KUSTODY_LAB_GO (the lab build needs Go >= 1.25)"
    GO="$KUSTODY_LAB_GO"
  elif command -v go >/dev/null 2>&1; then GO="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go
  else die "no Go toolchain: neither 'go' on PATH nor /usr/local/go/bin/go exists (the lab build needs Go >= 1.25)"
  fi
  log "using $("$GO" version) at $GO"
}

# Checks that the module proxy answers and serves the version we want, before a long build starts.
check_proxy() {
  local versions
  if ! versions="$(timeout 60 "$GO" list -m -versions "k8s.io/kubernetes" 2>&1)"; then
    die "the Go module proxy ($("$GO" env GOPROXY)) is unreachable or failed: ${versions}"
  fi
  [[ " $versions " == *" $K8S_VERSION "* ]] \
    || die "the Go module proxy does not serve k8s.io/kubernetes $K8S_VERSION (it serves: ${versions#k8s.io/kubernetes })"
}

# Picks the newest kube-router v2 release the proxy serves, unless one was asked for.
resolve_kube_router_version() {
  if [[ -n "${KUSTODY_LAB_KUBE_ROUTER_VERSION:-}" ]]; then KR_VERSION="$KUSTODY_LAB_KUBE_ROUTER_VERSION"; return; fi
  KR_VERSION="$(timeout 60 "$GO" list -m -versions github.com/cloudnativelabs/kube-router/v2 \
    | tr ' ' '\n' | grep -E '^v2\.[0-9]+\.[0-9]+$' | sort -V | tail -n1)" \
    || die "the Go module proxy serves no github.com/cloudnativelabs/kube-router/v2 release"
}

# Prints a heartbeat while a long step runs, so CI logs show progress; stopped by its PID.
start_heartbeat() {
  local what="$1" started="$SECONDS"
  ( while sleep 60; do
      log "  … still building $what ($(( (SECONDS - started) / 60 )) min, GOCACHE $(du -sh "$("$GO" env GOCACHE)" 2>/dev/null | cut -f1))"
    done ) &
  HEARTBEAT_PID=$!
}
stop_heartbeat() { kill "$HEARTBEAT_PID" 2>/dev/null || true; wait "$HEARTBEAT_PID" 2>/dev/null || true; }

# Writes the wrapper module for k8s.io/kubernetes. Its go.mod replaces every staging module with
# the published k8s.io/<x> v0.<minor>.<patch>, because a dependency's own `replace` lines (which
# point at ./staging) are ignored; the list is read from Kubernetes' go.mod, so it fits any version.
write_k8s_wrapper() {
  local dir="$1" kmod staging_version go_line godebug_line
  mkdir -p "$dir"
  kmod="$("$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "$kmod" ]] || die "could not download k8s.io/kubernetes@$K8S_VERSION's go.mod from the module proxy"
  staging_version="v0.${K8S_VERSION#v1.}"
  go_line="$(grep -m1 '^go ' "$kmod")"
  godebug_line="$(grep -m1 '^godebug ' "$kmod" || true)"
  {
    printf 'module lab.local/k8sbin\n\n%s\n\n%s\n\nreplace (\n' "$go_line" "$godebug_line"
    grep -oE '^[[:space:]]*k8s\.io/[a-z0-9-]+ => \./staging/' "$kmod" | awk '{print $1}' \
      | while read -r m; do printf '\t%s => %s %s\n' "$m" "$m" "$staging_version"; done
    printf ')\n'
  } > "$dir/go.mod"
  if [[ ! -f "$dir/.resolved" ]]; then
    log "resolving k8s.io/kubernetes $K8S_VERSION dependencies (downloads modules on a cold cache)"
    ( cd "$dir" && "$GO" get "k8s.io/kubernetes@$K8S_VERSION" ) || die "go get k8s.io/kubernetes@$K8S_VERSION failed (see above)"
    touch "$dir/.resolved"
  fi
}

# Builds one binary into $BIN unless it is already there; writes to a temp name first so an
# interrupted build never leaves a file that looks finished.
build_one() {
  local dir="$1" pkg="$2" name="$3" ldflags="$4" tags="${5:-}"
  if [[ -x "$BIN/$name" ]]; then log "$name: already built, skipping"; return; fi
  log "$name: building $pkg"
  local t0="$SECONDS"
  start_heartbeat "$name"
  if ! ( cd "$dir" && nice -n 10 "$GO" build -p 2 -trimpath ${tags:+-tags "$tags"} -ldflags "$ldflags" \
        -o "$BIN/.$name.tmp" "$pkg" ); then
    stop_heartbeat; die "$name: go build failed (see above)"
  fi
  stop_heartbeat
  mv "$BIN/.$name.tmp" "$BIN/$name"
  log "$name: built in $(( SECONDS - t0 ))s ($(du -h "$BIN/$name" | cut -f1))"
}

build_kubernetes() {
  local dir="$CACHE_VERSION_DIR/src/k8sbin" ld="-s -w" minor p c
  write_k8s_wrapper "$dir"
  minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
  # Same -X stamps as upstream hack/lib/version.sh, so `--version` and the node's kubeletVersion are real.
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  # kube-apiserver first: it is the largest and proves the toolchain/version combination early.
  for c in "${K8S_BINARIES[@]}"; do
    build_one "$dir" "k8s.io/kubernetes/cmd/$c" "$c" "$ld" "selinux,notest"
  done
}

# kube-router has no replace directives, so a plain wrapper that requires it is enough.
build_kube_router() {
  local dir="$CACHE_VERSION_DIR/src/kube-router-$KR_VERSION"
  if [[ -x "$BIN/kube-router" ]]; then log "kube-router: already built, skipping"; return; fi
  mkdir -p "$dir"
  printf 'module lab.local/kuberouterbin\n\ngo 1.22\n' > "$dir/go.mod"
  log "resolving github.com/cloudnativelabs/kube-router/v2 $KR_VERSION"
  ( cd "$dir" && "$GO" get "github.com/cloudnativelabs/kube-router/v2@$KR_VERSION" ) \
    || die "go get github.com/cloudnativelabs/kube-router/v2@$KR_VERSION failed (see above)"
  build_one "$dir" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router kube-router \
    "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KR_VERSION"
}

main() {
  local t0="$SECONDS"
  find_go
  BIN="$LAB_BIN"; CACHE_VERSION_DIR="$(dirname "$LAB_BIN")"
  mkdir -p "$BIN"
  if all_binaries_built; then log "all lab binaries are already built in $BIN"; return; fi
  check_proxy
  resolve_kube_router_version
  log "building Kubernetes $K8S_VERSION and kube-router $KR_VERSION into $BIN"
  build_kubernetes
  build_kube_router
  log "build finished in $(( (SECONDS - t0) / 60 )) min $(( (SECONDS - t0) % 60 )) s"
}

main "$@"
