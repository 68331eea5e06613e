#!/usr/bin/env bash
# Regenerates demo/demo-case.tar, the small demo case `kustody review --demo` opens, from a real run
# against the kustody lab (test/lab): it applies the `shop` scenario in a fresh namespace, plants
# hostile text in the suspect pod (a process whose name is an OSC 52 clipboard write, another whose
# name carries a bidi override and whose command line carries an OSC 8 link, cursor moves and a
# carriage-return overwrite, and an annotation with the same), captures the suspect as the lab's
# least-privilege `responder`, maps its identities, isolates it, and exports the case as a bundle.
#
# Usage: npm run lab -- up && bash scripts/make-demo-case.sh [OUTPUT.tar]   (needs root, like the lab)
# Then check it: node bin/kustody.js bundle verify demo/demo-case.tar && node bin/kustody.js review --demo
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$REPO_ROOT/demo/demo-case.tar}"
LAB_JSON="${KUSTODY_LAB_DIR:-/var/lib/kustody-lab}/lab.json"
NS="demo-shop-$(date -u +%H%M%S)"

[[ -f "$LAB_JSON" ]] || { echo "make-demo-case: no lab found ($LAB_JSON); start one with: npm run lab -- up" >&2; exit 2; }
field() { node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]))' "$LAB_JSON" "$1"; }
KUBECTL="$(field kubectl)"
ADMIN="$(field adminKubeconfig)"
RESPONDER="$(field responderKubeconfig)"
kadmin() { "$KUBECTL" --kubeconfig "$ADMIN" "$@"; }
kustody() { KUBECONFIG="$RESPONDER" node "$REPO_ROOT/bin/kustody.js" "$@"; }

WORK="$(mktemp -d /tmp/kustody-demo-XXXXXX)"
cleanup() {
  kadmin delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "make-demo-case: building kustody" >&2
(cd "$REPO_ROOT" && npm run -s build)

echo "make-demo-case: applying the shop scenario in namespace $NS" >&2
bash "$REPO_ROOT/test/lab/lab.sh" scenario shop "$NS" >&2

# Hostile text, planted the way an attacker inside the pod would: /proc/self/comm and argv are the
# workload's to choose. Both processes live on after the exec session ends (stdio closed, reparented).
OSC52=$'\e]52;c;SGk=\a'
OSC8=$'\e]8;;https://evil.example/\e\\kube-dns\e]8;;\e\\'
MOVES=$'\e[5;7H\e[2J\e[1A\e[2K'
OVERWRITE=$'evil\rkube-proxy'
BIDI=$'\u202ehs.exe'
kadmin exec -n "$NS" suspect -- sh -c '( printf "%s" "$1" > /proc/self/comm; exec </dev/null >/dev/null 2>&1; while :; do sleep 3600; done ) &' kworker "$OSC52"
kadmin exec -n "$NS" suspect -- sh -c '( printf "%s" "$1" > /proc/self/comm; exec </dev/null >/dev/null 2>&1; while :; do sleep 3600; done ) &' kworker "$BIDI" "$OSC8" "$OVERWRITE" "$MOVES"
kadmin annotate pod -n "$NS" suspect "demo.kustody.io/planted=$OSC8 $OSC52 $MOVES $OVERWRITE $BIDI" >/dev/null

echo "make-demo-case: capturing $NS/suspect as the lab responder" >&2
CASE="$(kustody case new --dir "$WORK" --title "Demo: compromised shop/suspect (lab run)" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).path))')"
kustody capture pod "$NS/suspect" --case "$CASE" >&2
kustody identities "$NS/suspect" --case "$CASE" >/dev/null
kustody isolate "$NS/suspect" --case "$CASE" --yes >&2
kustody case note "$CASE" "Demo case recorded by scripts/make-demo-case.sh from the kustody lab; the suspect's process names, command lines and an annotation carry terminal escape sequences on purpose." >/dev/null

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
kustody bundle export "$CASE" -o "$OUT" >&2
kustody bundle verify "$OUT" >&2
echo "make-demo-case: wrote $OUT ($(stat -c %s "$OUT") bytes)" >&2
