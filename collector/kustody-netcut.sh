#!/bin/sh
# kustody's connection cutter for `isolate --cut-connections`, run from the node vantage (a
# privileged hostPID pod on the suspect's node, image with BusyBox, `ss` and `conntrack`). Passed as
# one argv element to `sh -c`; every value (container id, netns, tuples) arrives as a further argv
# element, never spliced into this text. It never signals a process: it only destroys sockets.
#
#   read <container-id>
#       finds the processes whose cgroup names the container, and prints, for every process in the
#       same network namespace, the collector's line framing (K, F, L, E records, as
#       kustody-collector.sh prints them) with stat, status, cmdline, ns/net and fd links, then that
#       namespace's net/tcp, tcp6, udp and udp6 tables.
#   cut <container-id> <netns> [<tcp|udp> <family> <local-addr> <local-port> <remote-addr> <remote-port> | ip <family> <addr>]...
#       checks the container's network namespace is still <netns> (and is not the node's), then for
#       each connection: `ss -K` in that namespace for exactly that socket (TCP in any live state, a
#       connected UDP socket), and `conntrack -D` for its flow in both directions, in the node's
#       namespace (where bridged pod traffic is tracked) and in the pod's; for each `ip` record:
#       `conntrack -D` of every flow that address originated or answers, in both namespaces.
#       Prints one line per action: `R <record-index> <what> <exit-code> <count>`.
#
# Exit codes: 0 done; 2 usage; 3 no process of the container found; 4 not on the host PID namespace,
# or the namespace is the node's (hostNetwork) or changed since it was read.
mode=$1; cid=$2
[ -n "$mode" ] && [ -n "$cid" ] || exit 2
self=$$
first=''
for d in /proc/[0-9]*; do
  p=${d#/proc/}
  [ "$p" = "$self" ] && continue
  grep -q "$cid" /proc/$p/cgroup 2>/dev/null || continue
  first=$p
  break
done
[ -n "$first" ] || { echo "X container not found"; exit 3; }
# The node's own network namespace, through kthreadd (PID 2 in the host PID namespace, a kernel
# thread, so always in the initial namespace; PID 1 may refuse even root, as a firecracker init does).
read -r kt < /proc/2/comm 2>/dev/null
[ "$kt" = kthreadd ] || { echo "X not in the host PID namespace"; exit 4; }
netns=$(readlink /proc/$first/ns/net 2>/dev/null)
hostns=$(readlink /proc/2/ns/net 2>/dev/null)
[ -n "$netns" ] && [ -n "$hostns" ] && [ "$netns" != "$hostns" ] || { echo "X host network namespace"; exit 4; }

fil() { if b=$( (base64 < "$2") 2>/dev/null ); then echo "F $1"; [ -n "$b" ] && printf '%s\n' "$b"; echo '.'; else echo "X $1 unreadable"; fi; }
lnk() { if t=$(readlink "$2" 2>/dev/null); then printf 'L %s ' "$1"; printf '%s' "$t" | base64 | tr -d '\n'; echo; else echo "X $1 unreadable"; fi; }

if [ "$mode" = read ]; then
  echo 'K kustody-collector 1'
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    [ "$(readlink /proc/$p/ns/net 2>/dev/null)" = "$netns" ] || continue
    fil "$p/stat" "/proc/$p/stat"
    fil "$p/status" "/proc/$p/status"
    fil "$p/cmdline" "/proc/$p/cmdline"
    lnk "$p/ns/net" "/proc/$p/ns/net"
    for f in /proc/$p/fd/*; do [ -L "$f" ] || continue; lnk "$p/fd/${f##*/}" "$f"; done
  done
  for t in tcp tcp6 udp udp6; do fil "net/$t" "/proc/$first/net/$t"; done
  echo E
  exit 0
fi

[ "$mode" = cut ] || exit 2
[ "$3" = "$netns" ] || { echo "X network namespace changed"; exit 4; }
shift 3
i=0
# Runs one command and prints its exit code and the number conntrack or ss reports.
act() {
  what=$1; shift
  out=$("$@" 2>&1); rc=$?
  n=$(printf '%s\n' "$out" | sed -n 's/^.* \([0-9][0-9]*\) flow entries have been deleted.*$/\1/p' | head -n 1)
  [ "$what" = ss ] && n=$(printf '%s\n' "$out" | grep -c ':')
  echo "R $i $what $rc ${n:-0}"
}
while [ $# -ge 3 ]; do
  case "$1" in
    tcp|udp)
      [ $# -ge 6 ] || exit 2
      p=$1; fam=$2; la=$3; lp=$4; ra=$5; rp=$6; shift 6
      if [ "$fam" = ipv6 ]; then l="[$la]"; r="[$ra]"; else l=$la; r=$ra; fi
      # The socket's own address text (v4-mapped on a dual-stack socket) for ss; plain IPv4 for conntrack.
      sl=$l; sr=$r
      case "$la" in ::ffff:*.*) sl="[$la]"; sr="[$ra]"; la=${la#::ffff:}; ra=${ra#::ffff:}; fam=ipv4 ;; esac
      if [ "$p" = tcp ]; then
        act ss nsenter -t "$first" -n ss -K -tnH state established state syn-recv state fin-wait-1 state fin-wait-2 state close-wait state last-ack state closing "( src $sl:$lp and dst $sr:$rp )"
      else
        act ss nsenter -t "$first" -n ss -K -unH state established "( src $sl:$lp and dst $sr:$rp )"
      fi
      for where in node pod; do
        if [ $where = node ]; then t=2; else t=$first; fi
        act "conntrack-$where-out" nsenter -t "$t" -n conntrack -D -f "$fam" -p "$p" -s "$la" -d "$ra" --sport "$lp" --dport "$rp"
        act "conntrack-$where-in" nsenter -t "$t" -n conntrack -D -f "$fam" -p "$p" -s "$ra" -d "$la" --sport "$rp" --dport "$lp"
      done ;;
    ip)
      fam=$2; a=$3; shift 3
      for t in 2 "$first"; do
        act conntrack-ip-src nsenter -t "$t" -n conntrack -D -f "$fam" -s "$a"
        act conntrack-ip-reply nsenter -t "$t" -n conntrack -D -f "$fam" -r "$a"
      done ;;
    *) exit 2 ;;
  esac
  i=$((i + 1))
done
[ $# -eq 0 ] || exit 2
echo E
