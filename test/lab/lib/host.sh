# shellcheck shell=bash
# Host preparation and its exact undo (sourced by lab.sh). Every change made here is recorded under
# $HOSTSTATE the first time, so `down` restores the machine even after a half-failed `up`.

# Commands the lab needs, and the Debian package that provides each.
REQUIRED_COMMANDS="openssl:openssl curl:curl jq:jq ip:iproute2 iptables:iptables ipset:ipset
conntrack:conntrack etcd:etcd-server containerd:containerd ctr:containerd runc:runc
busybox:busybox-static sha256sum:coreutils findmnt:util-linux setsid:util-linux ss:iproute2 ldd:libc-bin"
REQUIRED_FILES="/usr/lib/cni/bridge:containernetworking-plugins /usr/lib/cni/host-local:containernetworking-plugins
/usr/lib/cni/loopback:containernetworking-plugins /bin/busybox:busybox-static"

# Directories outside LAB_DIR that kubelet (container log links) and libcni (result cache) create.
LAB_OUTSIDE_DIRS="/var/log/containers /var/lib/cni/results /var/lib/cni"

# Sysctls the lab (or kubelet, which forces the kernel ones) changes; the originals are restored by `down`.
LAB_SYSCTLS="fs.inotify.max_user_instances fs.inotify.max_user_watches net.bridge.bridge-nf-call-iptables
vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
kernel.keys.root_maxbytes net.ipv4.ip_forward"

# Fails with the list of missing commands/files and the Debian packages to install.
check_prerequisites() {
  local missing=() pkgs=() entry
  [[ $EUID -eq 0 ]] || die "the lab must run as root (it creates a bridge, mounts and cgroups)"
  for entry in $REQUIRED_COMMANDS; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || { missing+=("${entry%%:*}"); pkgs+=("${entry#*:}"); }
  done
  for entry in $REQUIRED_FILES; do
    [[ -e "${entry%%:*}" ]] || { missing+=("${entry%%:*}"); pkgs+=("${entry#*:}"); }
  done
  if (( ${#missing[@]} )); then
    die "missing: ${missing[*]}. Install with: apt-get install -y $(printf '%s\n' "${pkgs[@]}" | sort -u | tr '\n' ' ')"
  fi
  [[ -d /sys/fs/cgroup/memory ]] || die "cgroup v1 memory hierarchy not found at /sys/fs/cgroup/memory (this lab is written for cgroup v1 hosts)"
}

# Fails if a port the lab needs is taken by a process the lab did not start.
check_port_free() {
  local port="$1" owner="$2"
  daemon_running "$owner" && return 0
  if ss -ltnH "sport = :$port" | grep -q .; then
    die "port $port (needed by $owner) is already in use by another process: $(ss -ltnpH "sport = :$port" | head -n1)"
  fi
}

# Records a value once: the first record is the original, later `up` runs must not overwrite it.
record_once() { [[ -f "$HOSTSTATE/$1" ]] || printf '%s\n' "$2" > "$HOSTSTATE/$1"; }

prepare_host() {
  mkdir -p "$HOSTSTATE"
  local s
  for s in $LAB_SYSCTLS; do record_once "sysctl.$s" "$(sysctl -n "$s" 2>/dev/null || echo unknown)"; done
  sysctl -qw fs.inotify.max_user_instances=8192 fs.inotify.max_user_watches=524288
  # Bridged pod traffic must pass iptables for kube-router's NetworkPolicy rules to see it.
  sysctl -qw net.bridge.bridge-nf-call-iptables=1
  # iptables-nft creates nf_tables tables on first use; `down` deletes the ones the lab added.
  record_once nft.tables "$(nft list tables 2>/dev/null || true)"
  # Volume mounts made by kubelet must propagate into containers.
  record_once propagation.root "$(findmnt -no PROPAGATION /)"
  mount --make-rshared /
  # kubelet and libcni create these outside LAB_DIR; `down` removes them again if the lab made them.
  local d
  for d in $LAB_OUTSIDE_DIRS; do record_once "existed.${d//\//_}" "$([[ -e "$d" ]] && echo yes || echo no)"; done
  # The node name resolves to the node IP locally, so nothing asks the host's DNS resolver for it.
  grep -q "# kustody-lab$" /etc/hosts || echo "$LAB_NODE_IP $LAB_NODE_NAME # kustody-lab" >> /etc/hosts
  prepare_bridge
  prepare_guard
  prepare_cgroups
}

prepare_bridge() {
  ip link show "$LAB_BRIDGE" >/dev/null 2>&1 || ip link add "$LAB_BRIDGE" type bridge
  ip addr replace "$LAB_NODE_IP/24" dev "$LAB_BRIDGE"
  ip link set "$LAB_BRIDGE" up
  # Without this route, host traffic to a Service IP would follow the default route off the machine.
  ip route replace "$LAB_SERVICE_CIDR" dev "$LAB_BRIDGE"
}

# A guard in raw/PREROUTING (which also sees bridged frames): pod traffic may only go to lab
# addresses, and nothing from outside the lab may reach a pod. Pods also have no default route.
prepare_guard() {
  if ! iptables -t raw -nL KUSTODY-LAB-GUARD >/dev/null 2>&1; then
    iptables -t raw -N KUSTODY-LAB-GUARD
  fi
  iptables -t raw -F KUSTODY-LAB-GUARD
  iptables -t raw -A KUSTODY-LAB-GUARD -s 10.244.0.0/16 -d 10.244.0.0/16 -j RETURN
  iptables -t raw -A KUSTODY-LAB-GUARD -s 10.244.0.0/16 -d "$LAB_SERVICE_CIDR" -j RETURN
  iptables -t raw -A KUSTODY-LAB-GUARD -s 10.244.0.0/16 -j DROP
  iptables -t raw -A KUSTODY-LAB-GUARD -d 10.244.0.0/16 -j DROP
  iptables -t raw -C PREROUTING -j KUSTODY-LAB-GUARD 2>/dev/null || iptables -t raw -I PREROUTING -j KUSTODY-LAB-GUARD
}

# A cgroup parent per v1 hierarchy; kubelet puts every pod below it (cgroupRoot).
prepare_cgroups() {
  local h
  for h in /sys/fs/cgroup/*/; do
    h="${h%/}"
    [[ "$h" == */unified ]] && continue
    mkdir -p "$h/$LAB_CGROUP"
    # A new v1 cpuset starts empty and cannot hold tasks until it inherits the parent's CPUs and memory nodes.
    if [[ -f "$h/cpuset.cpus" && -z "$(cat "$h/$LAB_CGROUP/cpuset.cpus")" ]]; then
      cat "$h/cpuset.cpus" > "$h/$LAB_CGROUP/cpuset.cpus"
      cat "$h/cpuset.mems" > "$h/$LAB_CGROUP/cpuset.mems"
    fi
  done
}

# --- undo ---------------------------------------------------------------------------------------

restore_host() {
  remove_cgroups
  remove_iptables_state
  ip link del "$LAB_BRIDGE" 2>/dev/null || true   # also drops its address and the Service route
  ip route del "$LAB_SERVICE_CIDR" 2>/dev/null || true
  sed -i '/# kustody-lab$/d' /etc/hosts
  local f s v
  for f in "$HOSTSTATE"/sysctl.*; do
    [[ -f "$f" ]] || continue
    s="${f##*/sysctl.}"; v="$(cat "$f")"
    [[ "$v" == unknown ]] || sysctl -qw "$s=$v" 2>/dev/null || log "could not restore sysctl $s=$v"
  done
  local d
  for d in $LAB_OUTSIDE_DIRS; do
    [[ "$(cat "$HOSTSTATE/existed.${d//\//_}" 2>/dev/null)" == no ]] && { rmdir "$d" 2>/dev/null || true; }
  done
  if [[ -f "$HOSTSTATE/propagation.root" ]]; then
    case "$(cat "$HOSTSTATE/propagation.root")" in
      private) mount --make-private / ;;
      slave) mount --make-slave / ;;
    esac
  fi
  rm -rf "$HOSTSTATE"
}

remove_cgroups() {
  local h
  for h in /sys/fs/cgroup/*/"$LAB_CGROUP"; do
    [[ -d "$h" ]] || continue
    # Deepest first; a cgroup that still holds a process cannot be removed, and says so.
    find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null || log "some cgroups under $h are still in use"
  done
}

# Removes the lab's guard, kubelet's and kube-router's chains (IPv4 and IPv6) and kube-router's
# ipsets. On this host the lab owns every KUBE-* chain: `up` refuses to start if such chains exist
# without a lab.
remove_iptables_state() {
  local ipt set
  for ipt in iptables ip6tables; do remove_lab_chains "$ipt"; done
  for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router-)' || true); do
    ipset destroy "$set" 2>/dev/null || log "could not destroy ipset $set"
  done
  remove_new_nft_tables
}

remove_lab_chains() {
  local ipt="$1" table chain rule
  for table in raw mangle nat filter; do
    # Jumps from built-in chains into lab chains: "-A CHAIN rest" becomes "-D CHAIN rest"; eval
    # keeps the quoting of kube-router's comments intact.
    while read -r rule; do
      [[ -n "$rule" ]] && { eval "$ipt -t $table -D ${rule#-A }" 2>/dev/null || true; }
    done < <("$ipt-save" -t "$table" 2>/dev/null | grep -E '^-A [A-Z]+ .*-j (KUBE-|KUSTODY-LAB-)' \
             | grep -vE '^-A (KUBE-|KUSTODY-LAB-)' || true)
    for chain in $(lab_chains "$ipt" "$table"); do "$ipt" -t "$table" -F "$chain" 2>/dev/null || true; done
    for chain in $(lab_chains "$ipt" "$table"); do
      "$ipt" -t "$table" -X "$chain" 2>/dev/null || log "could not delete $ipt chain $table/$chain"
    done
  done
}

lab_chains() { "$1-save" -t "$2" 2>/dev/null | sed -nE 's/^:((KUBE-|KUSTODY-LAB-)[^ ]*) .*/\1/p'; }

# iptables-nft creates a (then empty) nf_tables table the first time a rule goes into it. Delete
# the empty ones that did not exist before the first `up`.
remove_new_nft_tables() {
  command -v nft >/dev/null 2>&1 || return 0
  [[ -f "$HOSTSTATE/nft.tables" ]] || return 0
  local family name
  while read -r _ family name; do
    grep -qx "table $family $name" "$HOSTSTATE/nft.tables" && continue
    [[ "$family" == ip || "$family" == ip6 ]] || continue
    # Anything besides table/chain headers, hook lines and braces is a rule: keep the table.
    nft list table "$family" "$name" 2>/dev/null | grep -vqE '^[[:space:]]*(table |chain |type |\}|$)' && continue
    nft delete table "$family" "$name" 2>/dev/null || log "could not delete nft table $family $name"
  done < <(nft list tables 2>/dev/null || true)
}

# `up` must not adopt or later delete KUBE-* state that some other Kubernetes left on this host.
check_foreign_iptables() {
  [[ -f "$HOSTSTATE/sysctl.kernel.panic" ]] && return 0   # our own state from an earlier `up`
  if iptables-save 2>/dev/null | grep -qE '^:KUBE-'; then
    die "iptables already has KUBE-* chains that this lab did not make; another Kubernetes may be running here. Remove it first."
  fi
}
