# shellcheck shell=bash
# The node: containerd, CNI, images, kubelet and kube-router (sourced by lab.sh).

lab_ctr() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

write_containerd_config() {
  mkdir -p "$CONF/cni" "$RUN/containerd" "$LAB_DIR/containerd"
  # Own root, state, socket and runc root, so this containerd never meets another one on the host.
  # netns_mounts_under_state_dir keeps pod network namespaces under LAB_DIR too.
  cat > "$CONF/containerd.toml" <<EOF
version = 2
root = "$LAB_DIR/containerd/root"
state = "$CONTAINERD_STATE"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "lab.local/pause:1"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true
  # This machine withholds CAP_SYS_RESOURCE even from root, so runc cannot lower oom_score_adj
  # (pause gets -998): cap container scores at containerd's own instead of failing every sandbox.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$RUN/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CONF/cni"
[plugins."io.containerd.internal.v1.opt"]
  path = "$LAB_DIR/containerd/opt"
EOF
  # No default route, no masquerade, no portmap (it would add NAT rules). isGateway is false so the
  # plugin leaves net.ipv4.ip_forward alone: pod-to-pod traffic is bridged, nothing is routed.
  cat > "$CONF/cni/10-kustody-lab.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "kustody-lab", "plugins": [
  {"type": "bridge", "bridge": "$LAB_BRIDGE", "isGateway": false, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$LAB_DIR/cni/ipam",
            "ranges": [[{"subnet": "$LAB_POD_CIDR", "gateway": "$LAB_NODE_IP"}]],
            "routes": [{"dst": "10.244.0.0/16"}, {"dst": "$LAB_SERVICE_CIDR"}]}}]}
EOF
}

start_containerd() {
  if daemon_running containerd; then log "containerd already running"
  else
    write_containerd_config
    # A proxy that refuses (loopback port 9) backs up the admission guard: if a pull were ever
    # attempted, it fails locally instead of reaching a registry.
    # containerd starts inside the lab's pids cgroup, so every shim it forks is in the lab's cgroups
    # too: `down` finds them there (containerd 1.6 writes no shim.pid file).
    mkdir -p "$LAB_CGROUP_TRACK/runtime"
    start_daemon containerd sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$LAB_CGROUP_TRACK/runtime" \
      env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= containerd --config "$CONF/containerd.toml"
  fi
  wait_for "containerd socket" 30 containerd lab_ctr version
}

# Builds a one-layer docker-archive image from a rootfs dir: layer.tar, config JSON, manifest.json.
# The same bytes always give the same digest (sorted, fixed owners and mtime).
make_image_archive() {
  local rootfs="$1" tag="$2" cmd_json="$3" out="$4" work
  work="$(mktemp -d)"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
  local diff; diff="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  mkdir "$work/$diff"; mv "$work/layer.tar" "$work/$diff/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$cmd_json" "$diff" > "$work/config.json"
  local cfg; cfg="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
  mv "$work/config.json" "$work/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cfg" "$tag" "$diff" > "$work/manifest.json"
  tar --sort=name --mtime=@0 --owner=0 --group=0 -C "$work" -cf "$out" manifest.json "$cfg.json" "$diff"
  rm -rf "$work"
}

# A busybox-static root filesystem with one symlink per applet.
make_busybox_rootfs() {
  local root="$1" a
  mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,var/run}
  chmod 1777 "$root/tmp"
  # Skip `busybox` itself: `busybox --list` names it, and `ln -sf busybox bin/busybox` would replace
  # the binary with a symlink to itself (every exec then fails with "executable file not found").
  for a in $(/bin/busybox --list); do
    [[ "$a" == busybox ]] || ln -sf busybox "$root/bin/$a"
  done
  cp /bin/busybox "$root/bin/busybox"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' > "$root/etc/group"
}

# An imported image has no registry digest reference, so `lab.local/busybox@sha256:<manifest>` is not
# present for imagePullPolicy Never until it is tagged: then kustody's collector can be pinned by
# digest, and the kubelet reports that reference as the pods' imageID.
tag_busybox_digest() {
  local digest
  digest="$(lab_ctr images ls | awk '$1 == "lab.local/busybox:1.35" { print $3 }')"
  [[ "$digest" == sha256:* ]] || die "no manifest digest for lab.local/busybox:1.35"
  # Read whole first: `grep -q` leaving early would fail the pipe (pipefail) and retag an existing name.
  local have; have="$(lab_ctr images ls -q)"
  grep -qx "lab.local/busybox@$digest" <<<"$have" || lab_ctr images tag lab.local/busybox:1.35 "lab.local/busybox@$digest" >/dev/null
}

# The node tools kustody's `isolate --cut-connections` runs from the node vantage: busybox (sh,
# nsenter, readlink) plus Debian's `ss` (iproute2, for `ss -K`) and `conntrack`, each with the
# shared libraries ldd names, copied from this host. About 6 MB; a real cluster supplies its own image.
make_netcut_rootfs() {
  local root="$1" bin lib
  make_busybox_rootfs "$root"
  for bin in "$(command -v ss)" "$(command -v conntrack)"; do
    mkdir -p "$root/usr/bin"
    cp -L "$bin" "$root/usr/bin/${bin##*/}"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}

# A "distroless" image: one static executable and nothing else (no sh, no base64, no /tmp). It is
# BusyBox named `sleep`, so it can only sleep: BusyBox picks the applet from its own name.
make_distroless_rootfs() {
  local root="$1"
  mkdir -p "$root"
  cp /bin/busybox "$root/sleep"
}

LAB_IMAGES="lab.local/busybox:1.35 lab.local/pause:1 lab.local/netcut:1 lab.local/distroless-sleep:1"
# kustody's own collector image, as `kustody collector image build` makes it from this checkout.
COLLECTOR_REPO=lab.local/kustody-collector

# Builds kustody's collector image from this checkout and imports it unless containerd already holds
# that exact digest; tags it `lab.local/kustody-collector@<digest>` (what the tests pin) and
# `lab.local/kustody-collector:<version>`. Prints the pinned reference.
import_collector_image() {
  local work digest have
  [[ -f "$REPO_ROOT/dist/cli.js" ]] || die "kustody is not built ($REPO_ROOT/dist/cli.js is missing): run npm run build (npm ci also builds it), then lab up again"
  work="$(mktemp -d)"
  digest="$(cd "$REPO_ROOT" && node bin/kustody.js collector image build -o "$work/collector.tar" --print-digest)" \
    || { rm -rf "$work"; die "kustody collector image build failed (see above)"; }
  [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || { rm -rf "$work"; die "kustody collector image build printed no digest: $digest"; }
  # The list is read whole first: `grep -q` leaving early would fail the pipe (pipefail) and look like a miss.
  have="$(lab_ctr images ls -q)" || { rm -rf "$work"; die "ctr images ls failed (containerd log: $LOGS/containerd.log)"; }
  if ! grep -qx "$COLLECTOR_REPO@$digest" <<<"$have"; then
    lab_ctr images import --base-name "$COLLECTOR_REPO" --digests --platform linux/amd64 --snapshotter overlayfs "$work/collector.tar" >/dev/null \
      || { rm -rf "$work"; die "ctr images import of the collector image failed (containerd log: $LOGS/containerd.log)"; }
    log "imported $COLLECTOR_REPO@$digest"
  fi
  rm -rf "$work"
  printf '%s@%s\n' "$COLLECTOR_REPO" "$digest"
}

# Imports every lab image containerd does not hold yet (each one on its own, so a lab that predates
# an image gets just that one).
import_images() {
  local have img work; have="$(lab_ctr images ls -q)"
  work="$(mktemp -d)"
  for img in $LAB_IMAGES; do
    grep -qx "$img" <<<"$have" && continue
    case "$img" in
      lab.local/busybox:1.35)
        make_busybox_rootfs "$work/rootfs-busybox"
        make_image_archive "$work/rootfs-busybox" "$img" '["sh"]' "$work/image.tar" ;;
      lab.local/pause:1)
        # The pause container only has to hold the pod's namespaces open.
        make_busybox_rootfs "$work/rootfs-pause"
        make_image_archive "$work/rootfs-pause" "$img" '["/bin/sleep","infinity"]' "$work/image.tar" ;;
      lab.local/netcut:1)
        make_netcut_rootfs "$work/rootfs-netcut"
        make_image_archive "$work/rootfs-netcut" "$img" '["sh"]' "$work/image.tar" ;;
      lab.local/distroless-sleep:1)
        make_distroless_rootfs "$work/rootfs-distroless"
        make_image_archive "$work/rootfs-distroless" "$img" '["/sleep","infinity"]' "$work/image.tar" ;;
    esac
    lab_ctr images import --platform linux/amd64 --snapshotter overlayfs "$work/image.tar" >/dev/null \
      || { rm -rf "$work"; die "ctr images import of $img failed (containerd log: $LOGS/containerd.log)"; }
    rm -f "$work/image.tar"
    log "imported $img"
  done
  rm -rf "$work"
  tag_busybox_digest
}

write_kubelet_config() {
  cat > "$CONF/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $LAB_NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: /$LAB_CGROUP
# Kubernetes 1.35 refuses cgroup v1 hosts unless told otherwise.
failCgroupV1: false
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true, cacheTTL: 0s}
  x509: {clientCAFile: $PKI/ca.crt}
# No caching, so RBAC changes made by a test apply at once.
authorization:
  mode: Webhook
  webhook: {cacheAuthorizedTTL: 0s, cacheUnauthorizedTTL: 0s}
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
# No host resolver in pods: nothing in a pod may query the host's DNS server. ClusterFirst pods
# get a lab Service address that nothing answers (the lab runs no DNS), which stays on lab0.
resolvConf: ""
clusterDNS: [10.96.0.10]
clusterDomain: cluster.local
# Never garbage-collect the imported images: they cannot be pulled again.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
podLogsDir: $LAB_DIR/pod-logs
volumePluginDir: $LAB_DIR/kubelet-plugins
EOF
}

start_kubelet() {
  if daemon_running kubelet; then log "kubelet already running"; return; fi
  check_port_free 10248 kubelet
  write_kubelet_config
  mkdir -p "$LAB_DIR/kubelet" "$LAB_DIR/pod-logs"
  start_daemon kubelet "$LAB_BIN/kubelet" --config="$CONF/kubelet.yaml" \
    --kubeconfig="$KCFG/kubelet.kubeconfig" --root-dir="$LAB_DIR/kubelet" \
    --hostname-override="$LAB_NODE_NAME" --node-ip="$LAB_NODE_IP"
}

node_ready() {
  [[ "$(kc get node "$LAB_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

start_kube_router() {
  if daemon_running kube-router; then log "kube-router already running"; return; fi
  # Firewall only: NetworkPolicy enforcement through iptables/ipset; no routing, no service proxy.
  start_daemon kube-router "$LAB_BIN/kube-router" --kubeconfig="$KCFG/kube-router.kubeconfig" \
    --hostname-override="$LAB_NODE_NAME" --run-firewall=true --run-router=false --run-service-proxy=false \
    --service-cluster-ip-range="$LAB_SERVICE_CIDR" --enable-ipv4=true --enable-ipv6=false \
    --health-port=0 --metrics-port=0 --iptables-sync-period=1m
}
