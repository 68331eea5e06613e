#!/usr/bin/env bash
# Regenerates exercises/recordings/ID.json, what `kustody exercise replay ID` plays without a cluster,
# from a real run against the kustody lab (test/lab): `exercise start` deploys the scenario with its live
# attacker in a fresh namespace, the lab's least-privilege `responder` plays the scenario's expected
# response with kustody's normal commands, `exercise stop` cleans up, and `exercise record` writes what
# happened (attacker actions and injects on the scenario clock, the team's moves, capture row counts,
# identities proven dead). The recording holds no token, Secret value or raw capture.
#
# Usage: npm run lab -- up && bash scripts/make-exercise-recording.sh SCENARIO [OUTPUT.json]   (any of the four shipped ones)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ID="${1:?usage: make-exercise-recording.sh SCENARIO [OUTPUT.json]}"
OUT="${2:-$REPO_ROOT/exercises/recordings/$ID.json}"
LAB_JSON="${KUSTODY_LAB_DIR:-/var/lib/kustody-lab}/lab.json"
NS="kx-rec-$ID-$(date -u +%H%M%S)"
NS="${NS:0:63}"
MINUTE=10

[[ -f "$LAB_JSON" ]] || { echo "make-exercise-recording: no lab found ($LAB_JSON); start one with: npm run lab -- up" >&2; exit 2; }
field() { node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]))' "$LAB_JSON" "$1"; }
ADMIN="$(field adminKubeconfig)"
RESPONDER="$(field responderKubeconfig)"
facilitator() { KUBECONFIG="$ADMIN" node "$REPO_ROOT/bin/kustody.js" "$@"; }
team() { KUBECONFIG="$RESPONDER" node "$REPO_ROOT/bin/kustody.js" "$@"; }

WORK="$(mktemp -d /tmp/kustody-recording-XXXXXX)"
CASE=""
cleanup() {
  [[ -n "$CASE" ]] && facilitator exercise stop "$CASE" --yes >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Waits (bounded) until the exercise log shows the attacker action $1 done.
wait_attacker() {
  for _ in $(seq 1 240); do
    if node -e 'const D=require("better-sqlite3");const db=new D(process.argv[1],{readonly:true});process.exit(db.prepare("SELECT 1 FROM exercise_events WHERE kind = ? AND name = ? AND outcome = ?").get("attacker-action",process.argv[2],"ok")?0:1)' "$CASE/exercise.db" "$1" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "make-exercise-recording: the attacker never did $1" >&2; return 1
}

(cd "$REPO_ROOT" && npm run -s build)
CASE="$(team case new --dir "$WORK" --title "Recording: $ID (lab run)" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).path))')"
echo "make-exercise-recording: starting $ID in $NS ($MINUTE s a scenario minute)" >&2
facilitator exercise start "$ID" --case "$CASE" -n "$NS" --minute-seconds "$MINUTE" --yes >&2
SINCE="$(node -e 'process.stdout.write(new Date(Math.ceil(Date.now() / 1000) * 1000).toISOString())')"
case "$ID" in
  token-theft)
    team capture pod "$NS/web" --case "$CASE" >&2
    team isolate "$NS/web" --case "$CASE" --yes >&2
    wait_attacker start-pod
    team capture pod "$NS/web-debug" --case "$CASE" >&2
    team revoke "$NS/web" --case "$CASE" --delete-pod --yes >&2
    ;;
  planted-persistence)
    team capture pod "$NS/deploy-bot" --case "$CASE" >&2
    team isolate "$NS/deploy-bot" --case "$CASE" --yes >&2
    wait_attacker cronjob
    team revoke "$NS/deploy-bot" --case "$CASE" --delete-pod --yes >&2
    team audit sweep "$CASE" -n "$NS" --since "$SINCE" --yes >&2
    # The backdoor account the sweep found: no pod runs as it, so it is revoked by name (recorded as revoke-sa).
    team revoke --service-account "$NS/metrics" --case "$CASE" --rbac --delete-sa --yes >&2
    ;;
  cryptominer)
    wait_attacker start-miner
    team capture pod "$NS/metrics-agent" --case "$CASE" >&2
    team isolate "$NS/metrics-agent" --case "$CASE" --yes >&2
    team capture pod "$NS/builder" --case "$CASE" >&2
    wait_attacker inject:second-miner
    team capture pod "$NS/metrics-agent-2" --case "$CASE" >&2
    team revoke "$NS/builder" --case "$CASE" --delete-pod --yes >&2
    ;;
  reverse-shell-exfil)
    team capture pod "$NS/shop" --case "$CASE" >&2
    team isolate "$NS/shop" --case "$CASE" --yes >&2
    wait_attacker inject:shell-back
    team capture pod "$NS/shop-worker" --case "$CASE" >&2
    team revoke "$NS/shop" --case "$CASE" --delete-pod --yes >&2
    ;;
  *) echo "make-exercise-recording: no scripted response for $ID" >&2; exit 2 ;;
esac
facilitator exercise stop "$CASE" --yes >&2
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
facilitator exercise record "$CASE" -o "$OUT" >&2
CASE=""
echo "make-exercise-recording: wrote $OUT ($(stat -c %s "$OUT") bytes)" >&2
