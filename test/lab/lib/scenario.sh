# shellcheck shell=bash
# Scenario fixtures (sourced by lab.sh): `lab.sh scenario <name> [namespace]` applies
# test/lab/scenarios/<name>/*.yaml in file-name order, as the lab admin.
# Manifests say `namespace: <name>`; another namespace can be given so tests get a private copy.
# A placeholder __POD_IP:<app>__ is replaced by the IP of the Ready pod labelled app=<app>
# (the lab has no DNS and no kube-proxy, so pods reach each other by pod IP).

pod_ip_of() {
  local ns="$1" app="$2"
  kc get pods -n "$ns" -l "app=$app" -o json | jq -r '[.items[]
    | select(.metadata.deletionTimestamp == null)
    | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))
    | .status.podIP][0] // empty'
}

pod_ip_known() { [[ -n "$(pod_ip_of "$1" "$2")" ]]; }

# Prints FILE with the namespace and pod-IP placeholders filled in.
render_manifest() {
  local file="$1" name="$2" ns="$3" app ip out
  out="$(sed -e "s/^\([[:space:]]*namespace:\) $name\$/\1 $ns/" "$file")"
  for app in $(grep -o '__POD_IP:[a-z0-9-]*__' "$file" | sed 's/__POD_IP:\(.*\)__/\1/' | sort -u); do
    wait_for "a Ready pod app=$app in $ns" 120 "" pod_ip_known "$ns" "$app"
    ip="$(pod_ip_of "$ns" "$app")"
    out="${out//"__POD_IP:${app}__"/$ip}"
  done
  printf '%s\n' "$out"
}

apply_scenario() {
  local name="${1:-}" ns="${2:-${1:-}}" dir file manifest
  [[ -n "$name" ]] || die "usage: lab.sh scenario <name> [namespace]; scenarios: $(ls "$LAB_ROOT/scenarios" | tr '\n' ' ')"
  dir="$LAB_ROOT/scenarios/$name"
  [[ -d "$dir" ]] || die "no scenario '$name' in $LAB_ROOT/scenarios (have: $(ls "$LAB_ROOT/scenarios" | tr '\n' ' '))"
  apiserver_ready || die "no lab answers at $LAB_APISERVER: run npm run lab -- up"
  kc get namespace "$ns" >/dev/null 2>&1 || kc create namespace "$ns" >/dev/null
  # Pods without a serviceAccountName are refused until the namespace's default ServiceAccount exists.
  kc wait -n "$ns" --for=create serviceaccount/default --timeout=30s >/dev/null
  for file in "$dir"/*.yaml; do
    log "scenario $name: applying ${file##*/} in namespace $ns"
    manifest="$(render_manifest "$file" "$name" "$ns")"
    kc apply -f - <<<"$manifest" >/dev/null
  done
  kc wait --for=condition=Ready pods --all -n "$ns" --timeout=120s >/dev/null \
    || die "scenario $name: pods in $ns did not become Ready (kubectl get pods -n $ns)"
  log "scenario $name is ready in namespace $ns"
}
