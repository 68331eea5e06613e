# shellcheck shell=bash
# shellcheck disable=SC2034  # settings are used by the scripts that source this file
# Shared settings and helpers for the lab scripts (sourced, never run on its own).
# Everything the lab owns at run time lives under LAB_DIR; built binaries live under LAB_CACHE,
# outside the repository, so a rebuilt checkout reuses them.

K8S_VERSION="${KUSTODY_LAB_K8S_VERSION:-v1.35.4}"
LAB_CACHE="${KUSTODY_LAB_CACHE:-$HOME/.cache/kustody/lab}"
LAB_BIN="$LAB_CACHE/$K8S_VERSION/bin"
LAB_DIR="${KUSTODY_LAB_DIR:-/var/lib/kustody-lab}"
LAB_ALL_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl kube-router)

# Lab network: the bridge, its address (also the node IP) and the Service range. Nothing in the lab
# may use any other address except loopback.
LAB_BRIDGE=lab0
LAB_NODE_IP=10.244.0.1
LAB_POD_CIDR=10.244.0.0/24
LAB_SERVICE_CIDR=10.96.0.0/16
LAB_NODE_NAME=lab-node
LAB_APISERVER="https://127.0.0.1:6443"

# Directories under LAB_DIR.
PKI="$LAB_DIR/pki"
KCFG="$LAB_DIR/kubeconfig"
PIDS="$LAB_DIR/pids"
LOGS="$LAB_DIR/logs"
CONF="$LAB_DIR/config"
RUN="$LAB_DIR/run"
HOSTSTATE="$LAB_DIR/host"
CONTAINERD_SOCK="$RUN/containerd/containerd.sock"
CONTAINERD_STATE="$RUN/containerd/state"
# cgroup parent for every pod, created per v1 hierarchy, so teardown knows exactly which cgroups are ours.
LAB_CGROUP=kustody-lab
# The v1 hierarchy where the lab looks for its processes: pods (kubelet's cgroupRoot) and the
# container runtime with its shims (see start_containerd) all live below this directory.
LAB_CGROUP_TRACK="/sys/fs/cgroup/pids/$LAB_CGROUP"

# Prints a timestamped progress line on stderr (stdout stays clean for `lab env`).
log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Stops the script with a message that says what is wrong.
die() { printf '[lab %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# True when every binary the lab runs is in the cache.
all_binaries_built() {
  local b
  for b in "${LAB_ALL_BINARIES[@]}"; do [[ -x "$LAB_BIN/$b" ]] || return 1; done
}

# The process start time (clock ticks since boot), to tell a recorded PID from a recycled one.
proc_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }

# The process state letter (R, S, D, Z, …); the text after the last ")" skips the command name.
proc_state() { local stat; stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1; stat="${stat##*) }"; echo "${stat%% *}"; }

# True when the PID file names a live process that is still the one the lab started. A zombie
# counts as dead: this machine's PID 1 reaps orphans only after a delay.
pidfile_alive() {
  local file="$1" pid start state
  [[ -f "$file" ]] || return 1
  read -r pid start < "$file" || return 1
  [[ -n "$pid" ]] || return 1
  state="$(proc_state "$pid")" || return 1
  [[ "$state" != Z && "$state" != X ]] || return 1
  [[ -z "${start:-}" || "$(proc_starttime "$pid")" == "$start" ]]
}

# True when the daemon NAME that the lab started is running.
daemon_running() { pidfile_alive "$PIDS/$1.pid"; }

# Starts a daemon in its own session (so it outlives this script and no terminal signal reaches
# it), logs to $LOGS/NAME.log and records "PID STARTTIME" in $PIDS/NAME.pid.
start_daemon() {
  local name="$1"; shift
  mkdir -p "$PIDS" "$LOGS"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid $(proc_starttime "$pid")" > "$PIDS/$name.pid"
  log "$name started (pid $pid, log $LOGS/$name.log)"
}

# Stops a process by recorded PID: TERM, then KILL after a grace period. Never by name.
stop_pid() {
  local pid="$1" what="$2" grace="${3:-10}" i
  pid_gone "$pid" && return 0
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < grace * 10; i++ )); do pid_gone "$pid" && return 0; sleep 0.1; done
  log "$what (pid $pid) ignored SIGTERM for ${grace}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for (( i = 0; i < 50; i++ )); do pid_gone "$pid" && return 0; sleep 0.1; done
}

# True when the process has exited (gone, or a zombie waiting to be reaped).
pid_gone() { local s; s="$(proc_state "$1")" || return 0; [[ "$s" == Z || "$s" == X ]]; }

# Stops the daemon NAME if its PID file still names the process the lab started.
stop_daemon() {
  local name="$1" grace="${2:-10}" pid
  local file="$PIDS/$name.pid"
  [[ -f "$file" ]] || return 0
  if pidfile_alive "$file"; then
    read -r pid _ < "$file"
    stop_pid "$pid" "$name" "$grace"
    log "$name stopped (pid $pid)"
  fi
  rm -f "$file"
}

# Polls CMD once a second until it succeeds or TIMEOUT seconds pass; on timeout shows the log tail.
wait_for() {
  local what="$1" timeout="$2" logname="$3"; shift 3
  local deadline=$(( SECONDS + timeout ))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )); then
      [[ -n "$logname" && -f "$LOGS/$logname.log" ]] && tail -n 25 "$LOGS/$logname.log" >&2
      die "timed out after ${timeout}s waiting for $what${logname:+ (log: $LOGS/$logname.log)}"
    fi
    # A daemon that died will never become ready: fail now with its log.
    if [[ -n "$logname" && -f "$PIDS/$logname.pid" ]] && ! daemon_running "$logname"; then
      tail -n 25 "$LOGS/$logname.log" >&2
      die "$logname exited while waiting for $what (log: $LOGS/$logname.log)"
    fi
    sleep 0.5
  done
}

# kubectl as the lab admin.
kc() { "$LAB_BIN/kubectl" --kubeconfig "$KCFG/admin.kubeconfig" "$@"; }
