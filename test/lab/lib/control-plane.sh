# shellcheck shell=bash
# Control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler (sourced by lab.sh).
# Each start_* function is idempotent: a component that already runs is left alone.

ETCD_URL=http://127.0.0.1:2379

start_etcd() {
  if daemon_running etcd; then log "etcd already running"; return; fi
  check_port_free 2379 etcd; check_port_free 2380 etcd
  # etcd lives on a tmpfs the lab mounts: fsync on the VM disk is the slowest part of the apiserver,
  # and the lab's data is disposable (`down` discards it).
  mkdir -p "$LAB_DIR/etcd"
  mountpoint -q "$LAB_DIR/etcd" || mount -t tmpfs -o size=2g,mode=0700 kustody-lab-etcd "$LAB_DIR/etcd"
  start_daemon etcd etcd --name lab --data-dir "$LAB_DIR/etcd/data" \
    --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster lab=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
    --auto-compaction-mode periodic --auto-compaction-retention 1h
  wait_for "etcd /health" 30 etcd curl -sf "$ETCD_URL/health"
}

apiserver_ready() {
  curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$LAB_APISERVER/readyz" >/dev/null
}

start_apiserver() {
  if daemon_running kube-apiserver; then log "kube-apiserver already running"
  else
    check_port_free 6443 kube-apiserver
    start_daemon kube-apiserver "$LAB_BIN/kube-apiserver" \
      --bind-address=127.0.0.1 --secure-port=6443 --advertise-address="$LAB_NODE_IP" \
      --etcd-servers="$ETCD_URL" --storage-backend=etcd3 \
      --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
      --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
      --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
      --service-account-issuer=https://kubernetes.default.svc.cluster.local \
      --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
      --service-cluster-ip-range="$LAB_SERVICE_CIDR" --authorization-mode=Node,RBAC \
      --enable-admission-plugins=NodeRestriction --allow-privileged=true \
      --audit-policy-file="$LAB_ROOT/config/audit-policy.yaml" --audit-log-path="$LOGS/audit.log" \
      --audit-log-maxsize=200 --audit-log-maxbackup=2 --profiling=false
  fi
  wait_for "kube-apiserver /readyz" 60 kube-apiserver apiserver_ready
}

start_controller_manager() {
  if daemon_running kube-controller-manager; then log "kube-controller-manager already running"; return; fi
  check_port_free 10257 kube-controller-manager
  local c="$KCFG/kube-controller-manager.kubeconfig"
  start_daemon kube-controller-manager "$LAB_BIN/kube-controller-manager" \
    --kubeconfig="$c" --authentication-kubeconfig="$c" --authorization-kubeconfig="$c" \
    --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --service-cluster-ip-range="$LAB_SERVICE_CIDR" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key"
}

start_scheduler() {
  if daemon_running kube-scheduler; then log "kube-scheduler already running"; return; fi
  check_port_free 10259 kube-scheduler
  local c="$KCFG/kube-scheduler.kubeconfig"
  start_daemon kube-scheduler "$LAB_BIN/kube-scheduler" \
    --kubeconfig="$c" --authentication-kubeconfig="$c" --authorization-kubeconfig="$c" \
    --bind-address=127.0.0.1 --leader-elect=false
}

# Lab-internal RBAC and guards, plus kustody's shipped roles (deploy/rbac.yaml and the optional
# deploy/rbac-node-collector.yaml, which the node capture vantage tests need).
apply_cluster_config() {
  log "applying lab RBAC, the image guard policy and deploy/rbac*.yaml"
  kc apply -f "$LAB_ROOT/config/lab-cluster.yaml" >/dev/null
  kc apply -f "$REPO_ROOT/deploy/rbac.yaml" >/dev/null
  # The single kustody-responder ClusterRole that preceded the four roles: a lab brought up again on
  # old state must hold only what deploy/ grants now.
  kc delete clusterrolebinding,clusterrole kustody-responder --ignore-not-found >/dev/null
  kc apply -f "$REPO_ROOT/deploy/rbac-node-collector.yaml" >/dev/null
}
