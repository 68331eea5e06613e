#!/usr/bin/env bash
# The lab's fault checks (issue 3, "Bad input and faults"): runs each case against the real lab and
# checks that `down` leaves the host exactly as clean as before. It takes the lab down at the end,
# so run it before `lab up`, not while tests use the lab. Takes about a minute from cache.
# Usage: bash test/lab/faults.sh
set -euo pipefail

LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "$LAB_ROOT/lib/common.sh"
LAB="$LAB_ROOT/lab.sh"
FAILURES=0

check() { local what="$1"; shift; if "$@"; then log "ok: $what"; else log "FAIL: $what"; FAILURES=$(( FAILURES + 1 )); fi; }

# Everything the lab may leave on the host, one line each; empty when the lab is fully down.
host_leftovers() {
  local d
  # Zombies do not count: this machine's PID 1 reaps orphans a moment late.
  ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/' | grep -F -e "$LAB_DIR" -e "$LAB_BIN" | grep -v -e grep -e faults.sh || true
  findmnt -rn -o TARGET | grep -F "$LAB_DIR" || true
  ip -o link show "$LAB_BRIDGE" 2>/dev/null || true
  ip route show "$LAB_SERVICE_CIDR" 2>/dev/null || true
  iptables-save 2>/dev/null | grep -E 'KUBE-|KUSTODY-LAB' || true
  ip6tables-save 2>/dev/null | grep -E 'KUBE-|KUSTODY-LAB' || true
  ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router-)' || true
  grep '# kustody-lab$' /etc/hosts || true
  for d in /sys/fs/cgroup/*/"$LAB_CGROUP"; do [[ -d "$d" ]] && echo "cgroup $d"; done
  find /var/log/containers -lname "$LAB_DIR*" 2>/dev/null || true
  compgen -G '/var/lib/cni/results/kustody-lab-*' || true
  find "$LAB_DIR" -mindepth 1 -maxdepth 1 ! -name logs 2>/dev/null || true
  # Host settings and nf_tables tables must be back to what they were before the first `up`.
  [[ "$(host_settings)" == "$BASELINE" ]] || printf 'host settings changed:\n%s\n' "$(diff <(echo "$BASELINE") <(host_settings))"
}

host_settings() {
  sysctl net.ipv4.ip_forward kernel.panic kernel.panic_on_oops vm.overcommit_memory fs.inotify.max_user_watches
  findmnt -no PROPAGATION /
  nft list tables 2>/dev/null || true
}

host_clean() {
  local left; left="$(host_leftovers)"
  [[ -z "$left" ]] || { printf 'left behind:\n%s\n' "$left" >&2; return 1; }
}

node_ready_now() { kc get node "$LAB_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True; }

main() {
  log "faults: starting from a clean host"
  bash "$LAB" down
  BASELINE="$(host_settings)"
  check "host clean before the checks" host_clean

  log "faults: up twice"
  check "first up" bash "$LAB" up
  check "second up (idempotent)" bash "$LAB" up
  check "node Ready after two ups" node_ready_now
  check "scenario shop applies" bash "$LAB" scenario shop

  log "faults: kill -9 of the apiserver, then up"
  local pid; read -r pid _ < "$PIDS/kube-apiserver.pid"
  kill -KILL "$pid"
  check "up after kill -9 of the apiserver" bash "$LAB" up
  check "node Ready after the repair" node_ready_now

  log "faults: down twice"
  check "first down" bash "$LAB" down
  check "host clean after down (pods, shims, mounts, netns, iptables)" host_clean
  check "second down" bash "$LAB" down
  check "host clean after the second down" host_clean

  log "faults: down after a half-failed up (kube-controller-manager's port is taken)"
  # A listener on 127.0.0.1:10257 that this script starts and stops by its PID.
  python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 10257)); s.listen(); time.sleep(300)' &
  local blocker=$!
  sleep 1
  if bash "$LAB" up 2>/dev/null; then check "up refuses a taken port" false; else check "up refuses a taken port" true; fi
  kill "$blocker" 2>/dev/null || true
  wait "$blocker" 2>/dev/null || true
  check "down after the half-failed up" bash "$LAB" down
  check "host clean after the half-failed up" host_clean

  (( FAILURES == 0 )) || die "$FAILURES fault check(s) failed"
  log "all fault checks passed"
}

main "$@"
