#!/bin/sh
# kustody's collector for the `exec`, `debug` and `node` vantages: a POSIX sh script (BusyBox ash is
# enough: sh, readlink, base64, tr, sha256sum, grep, head, stat, wc) that prints /proc in kustody's
# line framing.
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
# They are read like kustody's local reader (read-in-root.ts) reads them: the path is walked one
# component at a time from that root (cd into each directory after checking it is one, then checking
# that the directory entered is the one checked), symlinks resolved by the script (an absolute target
# restarts at the process's root, never the collector's; `..` never climbs above it; at most 40
# links); only a regular file is opened (FIFOs, devices, sockets are refused before any open), then
# checked again through the open descriptor, and read through `head -c` up to a per-file cap and a
# total cap. Each refusal is an X record with its reason. What sh cannot close: a file swapped for a
# FIFO between the check and the open makes the open wait until kustody's time limit ends the run.
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
PROC_CAP=4194304; FILE_CAP=1048576; CRED_CAP=8388608; STAGE_CAP=134217728
self=$$
credused=0; staged=0
mymnt=$(readlink /proc/$self/ns/mnt 2>/dev/null)
if [ "$fmt" = tar ]; then
  T=$(mktemp -d "${TMPDIR:-/tmp}/kustody.XXXXXX") || exit 3
  trap 'rm -rf "$T"' EXIT
  put() { mkdir -p "$T/$(dirname "$1")" && printf '%s' "$2" > "$T/$1"; }
  fil() { mkdir -p "$T/$(dirname "$1")"; if head -c "$PROC_CAP" "$2" > "$T/$1" 2>/dev/null; then stage "$1"; else rm -f "$T/$1"; put "$1.x" unreadable; fi; }
  # Keeps the staging folder bounded: a file that would pass STAGE_CAP is dropped and reported.
  stage() { n=$(wc -c < "$T/$1"); staged=$((staged + ${n:-0})); [ "$staged" -le "$STAGE_CAP" ] && return 0; rm -f "$T/$1"; put "$1.x" 'staging cap reached'; }
  fdout() { mkdir -p "$T/$(dirname "$1")"; if head -c "$FILE_CAP" <&3 > "$T/$1" 2>/dev/null; then stage "$1"; else rm -f "$T/$1"; put "$1.x" unreadable; fi; }
  lnk() { mkdir -p "$T/$(dirname "$1")"; if t=$(readlink "$2" 2>/dev/null); then ln -s "$t" "$T/$1"; else put "$1.x" unreadable; fi; }
  dig() { put "$1.sha256" "$2"; }
  nam() { put "$1.name" "$2"; }
  bad() { put "$1.x" "$2"; }
  put K 'kustody-collector 1'
else
  fil() { if b=$( (head -c "$PROC_CAP" "$2" | base64) 2>/dev/null ); then echo "F $1"; [ -n "$b" ] && printf '%s\n' "$b"; echo '.'; else echo "X $1 unreadable"; fi; }
  fdout() { if b=$( (head -c "$FILE_CAP" <&3 | base64) 2>/dev/null ); then echo "F $1"; [ -n "$b" ] && printf '%s\n' "$b"; echo '.'; else echo "X $1 unreadable"; fi; }
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
# The walk below: the shell's working directory is the walk's position (as a directory descriptor
# is for the local reader); `kept` lists the components entered since the root.
toroot() { kept=''; if [ -n "$rt" ]; then cd -P "$rt/" 2>/dev/null; else cd / 2>/dev/null; fi || { why='process root unreadable'; return 1; }; }
enter() {
  [ -e "./$1" ] || { why='no such file in the process root'; return 1; }
  [ -d "./$1" ] || { why='not a directory on the way'; return 1; }
  wid=$(stat -c %d:%i "./$1" 2>/dev/null) || { why='cannot stat (no stat tool?)'; return 1; }
  cd -P "./$1" 2>/dev/null || { why='cannot enter a directory on the way'; return 1; }
  [ "$(stat -c %d:%i . 2>/dev/null)" = "$wid" ] || { why='changed while it was walked'; return 1; }
  kept="$kept/$1"
}
# walk ROOT PATH WANT: resolves PATH inside ROOT; WANT=file leaves the directory holding the last
# component entered and its name in `leaf`; WANT=dir enters the last component too.
walk() {
  rt=$1; pend=$2; hops=0; why=''
  toroot || return 1
  while :; do
    while [ "${pend#/}" != "$pend" ]; do pend=${pend#/}; done
    if [ -z "$pend" ]; then [ "$3" = dir ] && return 0; why='is a directory'; return 1; fi
    wc=${pend%%/*}; pend=${pend#"$wc"}
    case "$wc" in
      .) continue ;;
      ..) wback=$kept; toroot || return 1
          wback=${wback%/*}
          while [ -n "$wback" ]; do wback=${wback#/}; wb=${wback%%/*}; wback=${wback#"$wb"}; enter "$wb" || return 1; done
          continue ;;
    esac
    if [ -L "./$wc" ]; then
      hops=$((hops + 1)); [ "$hops" -le 40 ] || { why='too many symlinks'; return 1; }
      wt=$(readlink "./$wc" 2>/dev/null) && [ -n "$wt" ] || { why='unreadable symlink'; return 1; }
      # An absolute target means the process's root, never the collector's.
      case "$wt" in /*) toroot || return 1 ;; esac
      pend="$wt/$pend"; continue
    fi
    while [ "${pend#/}" != "$pend" ]; do pend=${pend#/}; done
    if [ -z "$pend" ] && [ "$3" = file ]; then leaf=$wc; return 0; fi
    enter "$wc" || return 1
  done
}
# cred KEY ROOT PATH: one credential file, refused unless it is a regular file within the caps.
cred() {
  if walk "$2" "$3" file; then
    wl="./$leaf"
    if [ -L "$wl" ]; then why='changed while it was walked'
    elif ! [ -e "$wl" ]; then why='no such file in the process root'
    elif [ -p "$wl" ]; then why='not a regular file (fifo)'
    elif [ -S "$wl" ]; then why='not a regular file (socket)'
    elif [ -c "$wl" ] || [ -b "$wl" ]; then why='not a regular file (device)'
    elif [ -d "$wl" ]; then why='is a directory'
    elif ! [ -f "$wl" ]; then why='not a regular file'
    elif ! wst=$(stat -c '%d:%i %s' "$wl" 2>/dev/null); then why='cannot stat (no stat tool?)'
    elif [ "${wst#* }" -gt "$FILE_CAP" ]; then why="larger than $FILE_CAP bytes, not read"
    elif [ $((credused + ${wst#* })) -gt "$CRED_CAP" ]; then why="over the $CRED_CAP-byte total for credentials, not read"
    else
      why='changed while it was opened'
      # Checked again through the open descriptor: the name may have been swapped since the checks.
      { [ "$(stat -L -c %d:%i /proc/self/fd/3 2>/dev/null)" = "${wst% *}" ] && why='' && fdout "$1"; } 3< "$wl" 2>/dev/null || :
      [ -z "$why" ] && credused=$((credused + ${wst#* }))
    fi
  fi
  cd /
  [ -z "$why" ] || bad "$1" "$why"
}
i=0
for c in "$@"; do
  r=''
  [ "$mode" = exec ] || r="/proc/$first/root"
  if [ "$mode" = exec ] || [ -n "$first" ]; then
    case "$c" in
      dir:*)
        if walk "$r" "${c#dir:}" dir; then
          j=0
          for f in ./*; do
            # Checked while the walk still stands in the folder: an empty folder leaves the pattern as it is.
            if [ "$j" = 0 ] && [ "$f" = './*' ] && ! [ -e "$f" ] && ! [ -L "$f" ]; then break; fi
            [ "$j" -lt 256 ] || { bad "cred/$i.$j" 'more than 256 files, rest not read'; break; }
            nam "cred/$i.$j" "${f#./}"
            cred "cred/$i.$j" "$r" "${c#dir:}/${f#./}"; j=$((j+1))
          done
        fi
        cd / ;;
      *) cred "cred/$i" "$r" "$c" ;;
    esac
  fi
  i=$((i+1))
done
if [ "$fmt" = tar ]; then
  : > "$T/E"
  tar -cf - -C "$T" .
else
  echo E
fi
