#!/usr/bin/env bash
# The kustody lab: a real single-node Kubernetes on this machine, for kustody's tests.
# Usage: bash test/lab/lab.sh up|down|status|env|build|scenario <name> [namespace]
#   (also `npm run lab -- <command>`). See test/lab/README.md.
set -euo pipefail

LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LAB_ROOT/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR
source "$LAB_ROOT/lib/common.sh"
source "$LAB_ROOT/lib/host.sh"
source "$LAB_ROOT/lib/pki.sh"
source "$LAB_ROOT/lib/control-plane.sh"
source "$LAB_ROOT/lib/node.sh"
source "$LAB_ROOT/lib/down.sh"
source "$LAB_ROOT/lib/scenario.sh"

# Brings the whole lab up, or whatever part of it is not running (so `up` also repairs a lab
# whose apiserver was killed). Start order follows the dependencies: host → etcd → apiserver →
# controllers → containerd/images → kubelet → kube-router.
lab_up() {
  local t0="$SECONDS"
  check_prerequisites
  # The first `up` on a machine builds the binaries (~6 min cold); later ones find them cached.
  all_binaries_built || bash "$LAB_ROOT/build.sh" || die "the lab binaries could not be built (see above)"
  # A fresh lab (no PKI yet) starts fresh logs; `down` kept the last run's logs until now.
  [[ -d "$PKI" ]] || rm -f "$LOGS"/*.log "$LOGS"/*.log.*
  mkdir -p "$LAB_DIR" "$LOGS" "$PIDS"
  check_foreign_iptables
  # `up` output also goes to logs/up.log, which the tests show when no lab answers in CI.
  exec 2> >(tee -a "$LOGS/up.log" >&2)
  log "lab up: Kubernetes $K8S_VERSION, state in $LAB_DIR"
  prepare_host
  make_pki
  start_etcd
  start_apiserver
  apply_cluster_config
  start_controller_manager
  start_scheduler
  start_containerd
  import_images
  import_collector_image >/dev/null
  start_kubelet
  wait_for "node $LAB_NODE_NAME to be Ready" 90 kubelet node_ready
  start_kube_router
  wait_for "the default ServiceAccount (created by kube-controller-manager)" 60 kube-controller-manager \
    kc get serviceaccount default -n default
  write_lab_json
  log "lab is up in $(( SECONDS - t0 ))s. Use it with: eval \"\$(npm run -s lab -- env)\""
}

# A small machine-readable description of the running lab, read by test/helpers/lab.ts.
write_lab_json() {
  cat > "$LAB_DIR/lab.json" <<EOF
{
  "version": "$K8S_VERSION",
  "apiserver": "$LAB_APISERVER",
  "adminKubeconfig": "$KCFG/admin.kubeconfig",
  "responderKubeconfig": "$KCFG/responder.kubeconfig",
  "kubectl": "$LAB_BIN/kubectl",
  "logsDir": "$LOGS",
  "auditLog": "$LOGS/audit.log",
  "nodeName": "$LAB_NODE_NAME"
}
EOF
}

lab_status() {
  local name any=0
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-router; do
    if daemon_running "$name"; then
      printf '%-24s running (pid %s)\n' "$name" "$(cut -d' ' -f1 "$PIDS/$name.pid")"; any=1
    else
      printf '%-24s not running\n' "$name"
    fi
  done
  if (( any )) && [[ -f "$KCFG/admin.kubeconfig" ]] && apiserver_ready 2>/dev/null; then
    printf '%-24s %s\n' "apiserver /readyz" ok
    kc get nodes -o wide 2>/dev/null | sed 's/^/  /' || true
    printf '%-24s %s\n' pods "$(kc get pods -A --no-headers 2>/dev/null | wc -l) in all namespaces"
  fi
  (( any )) || { echo "the lab is down (state dir: $LAB_DIR)"; return 3; }
}

# Prints shell exports for using the lab; `eval "$(bash test/lab/lab.sh env)"`.
lab_env() {
  [[ -f "$KCFG/admin.kubeconfig" ]] || die "no lab in $LAB_DIR: run npm run lab -- up"
  cat <<EOF
export KUSTODY_LAB_ADMIN_KUBECONFIG='$KCFG/admin.kubeconfig'
export KUSTODY_LAB_RESPONDER_KUBECONFIG='$KCFG/responder.kubeconfig'
export KUBECONFIG='$KCFG/admin.kubeconfig'
export KUSTODY_LAB_AUDIT_LOG='$LOGS/audit.log'
export PATH='$LAB_BIN':"\$PATH"
EOF
}

usage() {
  cat >&2 <<EOF
usage: lab.sh <command>
  build                 build the Kubernetes binaries into $LAB_BIN (once per machine)
  up                    start the lab (idempotent; also repairs a lab with dead components)
  down                  stop everything the lab started and undo its host changes (idempotent)
  status                show what runs
  env                   print KUBECONFIG/PATH exports (eval "\$(bash test/lab/lab.sh env)")
  scenario <name> [ns]  apply a scenario from test/lab/scenarios/<name> (default namespace: <name>)
  images                import the lab images containerd lacks and kustody's collector image built from this
                        checkout (additive; prints the collector's pinned reference)
EOF
  exit 2
}

main() {
  local cmd="${1:-}"; shift || true
  case "$cmd" in
    build) exec bash "$LAB_ROOT/build.sh" "$@" ;;
    up) lab_up ;;
    down) lab_down ;;
    status) lab_status ;;
    env) lab_env ;;
    scenario) apply_scenario "$@" ;;
    images) daemon_running containerd || die "the lab's containerd is not running: run npm run lab -- up"
            import_images >&2; import_collector_image ;;
    *) usage ;;
  esac
}

main "$@"
