#!/bin/sh
# kustody's collector for the `exec`, `debug` and `node` vantages: a POSIX sh script (BusyBox ash is
# enough: sh, readlink, base64, tr, sha256sum, grep) that prints /proc in kustody's line framing.
# It is passed as one argv element to `sh -c`, with the mode and credential paths as further argv
# elements, so nothing from the pod or the cluster is ever spliced into its text.
#
# Arguments: FORMAT MODE [CREDENTIAL-PATH...]. FORMAT is `lines` (printed as it goes: the exec
# vantage, which must not write into the suspect's filesystem) or `tar` (each file read whole into a
# private temporary folder of the trusted collector container, then streamed as one tar: the debug
# and node vantages).
#
# Modes (second argument):
#   exec           inside the suspect container: every process but the collector itself
#   debug          in an ephemeral container sharing the suspect's PID namespace: every process
#                  outside the collector's own mount namespace
#   node:<id>      on the node with hostPID: the processes whose cgroup names container <id>
# Credential paths (further arguments) are read from the first target process's root; an argument
# `dir:<path>` reads every file in that folder (a mounted Secret), naming each with an N line.
#
# `lines` output (parse-collector-output.ts reads it, treating every byte as hostile):
#   K kustody-collector 1          header
#   F <key> / base64 lines / .     a file's bytes
#   L <key> <base64>               a link's text
#   D <key> <hex>                  a SHA-256 computed in place
#   N <key> <base64>               the file name behind a cred/<i>.<j> key
#   X <key> <reason>               something that could not be read
#   E                              the end: anything after it, or its absence, is reported
# `tar` output (collector-tar-records.ts): the same keys as member names; a link is a symlink member,
# `<key>.sha256` a digest, `<key>.name` a file name, `<key>.x` a failure, and members K and E mark
# the start and a clean end.
fmt=$1; mode=$2; shift 2
self=$$
mymnt=$(readlink /proc/$self/ns/mnt 2>/dev/null)
if [ "$fmt" = tar ]; then
  T=$(mktemp -d "${TMPDIR:-/tmp}/kustody.XXXXXX") || exit 3
  trap 'rm -rf "$T"' EXIT
  put() { mkdir -p "$T/$(dirname "$1")" && printf '%s' "$2" > "$T/$1"; }
  fil() { mkdir -p "$T/$(dirname "$1")"; if cat "$2" > "$T/$1" 2>/dev/null; then :; else rm -f "$T/$1"; put "$1.x" unreadable; fi; }
  lnk() { mkdir -p "$T/$(dirname "$1")"; if t=$(readlink "$2" 2>/dev/null); then ln -s "$t" "$T/$1"; else put "$1.x" unreadable; fi; }
  dig() { put "$1.sha256" "$2"; }
  nam() { put "$1.name" "$2"; }
  bad() { put "$1.x" "$2"; }
  put K 'kustody-collector 1'
else
  fil() { if b=$( (base64 < "$2") 2>/dev/null ); then echo "F $1"; [ -n "$b" ] && printf '%s\n' "$b"; echo '.'; else echo "X $1 unreadable"; fi; }
  lnk() { if t=$(readlink "$2" 2>/dev/null); then printf 'L %s ' "$1"; printf '%s' "$t" | base64 | tr -d '\n'; echo; else echo "X $1 unreadable"; fi; }
  dig() { echo "D $1 $2"; }
  nam() { printf 'N %s ' "$1"; printf '%s' "$2" | base64 | tr -d '\n'; echo; }
  bad() { echo "X $1 $2"; }
  echo 'K kustody-collector 1'
fi
pids=''
for d in /proc/[0-9]*; do
  p=${d#/proc/}
  [ "$p" = "$self" ] && continue
  case "$mode" in
    exec) ;;
    debug) [ "$(readlink /proc/$p/ns/mnt 2>/dev/null)" = "$mymnt" ] && continue ;;
    node:*) grep -q "${mode#node:}" /proc/$p/cgroup 2>/dev/null || continue ;;
    *) bad mode unknown; break ;;
  esac
  pids="$pids $p"
done
first=''
for p in $pids; do
  [ -z "$first" ] && first=$p
  fil "$p/stat" "/proc/$p/stat"
  for n in net mnt pid user uts ipc cgroup; do lnk "$p/ns/$n" "/proc/$p/ns/$n"; done
  for f in /proc/$p/fd/*; do [ -L "$f" ] || continue; lnk "$p/fd/${f##*/}" "$f"; done
done
if [ -n "$first" ]; then
  for t in tcp tcp6 udp udp6 unix; do fil "net/$t" "/proc/$first/net/$t"; done
fi
for p in $pids; do
  for n in status cmdline environ mountinfo cgroup; do fil "$p/$n" "/proc/$p/$n"; done
  for n in exe cwd root; do lnk "$p/$n" "/proc/$p/$n"; done
  if h=$(sha256sum "/proc/$p/exe" 2>/dev/null); then dig "$p/exe" "${h%% *}"; else bad "$p/exe-sha256" unreadable; fi
  fil "$p/stat-after" "/proc/$p/stat"
done
i=0
for c in "$@"; do
  r=''
  [ "$mode" = exec ] || r="/proc/$first/root"
  case "$c" in
    dir:*)
      j=0
      for f in "$r${c#dir:}"/*; do
        [ -f "$f" ] || continue
        nam "cred/$i.$j" "${f##*/}"
        fil "cred/$i.$j" "$f"; j=$((j+1))
      done ;;
    *) [ "$mode" = exec ] || [ -n "$first" ] && fil "cred/$i" "$r$c" ;;
  esac
  i=$((i+1))
done
if [ "$fmt" = tar ]; then
  : > "$T/E"
  tar -cf - -C "$T" .
else
  echo E
fi
