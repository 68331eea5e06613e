# shellcheck shell=bash
# PKI and kubeconfigs for the lab (sourced by lab.sh). One CA signs everything; certificates are
# made once per LAB_DIR and reused by later `up` runs, so kubeconfigs stay valid across restarts.

# Issues NAME.crt/NAME.key signed by the lab CA. Go checks SANs, not the CN; the CN and O are the
# Kubernetes user name and group.
issue_cert() {
  local name="$1" cn="$2" org="$3" san="$4" eku="$5"
  [[ -f "$PKI/$name.crt" ]] && return 0
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.csr" \
    -subj "/CN=$cn${org:+/O=$org}" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } > "$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 825 -out "$PKI/$name.crt" -extfile "$PKI/$name.ext" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

# Writes a kubeconfig with the CA and client certificate embedded, so it can be copied anywhere.
write_kubeconfig() {
  local name="$1" user="$2"
  [[ -f "$KCFG/$name.kubeconfig" ]] && return 0
  cat > "$KCFG/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kustody-lab
  cluster:
    server: $LAB_APISERVER
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$name.crt")
    client-key-data: $(base64 -w0 "$PKI/$name.key")
contexts:
- name: $name@kustody-lab
  context: {cluster: kustody-lab, user: $user}
current-context: $name@kustody-lab
EOF
  chmod 600 "$KCFG/$name.kubeconfig"
}

make_pki() {
  mkdir -p "$PKI" "$KCFG"
  chmod 700 "$PKI"
  if [[ ! -f "$PKI/ca.crt" ]]; then
    log "creating the lab CA and certificates in $PKI"
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 3650 \
      -subj /CN=kustody-lab-ca -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  fi
  local svc_ip=10.96.0.1   # first address of LAB_SERVICE_CIDR: the `kubernetes` Service
  issue_cert apiserver kube-apiserver "" \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$svc_ip,IP:$LAB_NODE_IP" serverAuth
  issue_cert apiserver-kubelet-client kube-apiserver-kubelet-client "" "" clientAuth
  # NodeRestriction needs CN=system:node:<node name>, O=system:nodes.
  issue_cert kubelet "system:node:$LAB_NODE_NAME" system:nodes "" clientAuth
  issue_cert kubelet-serving "system:node:$LAB_NODE_NAME" system:nodes \
    "DNS:$LAB_NODE_NAME,IP:$LAB_NODE_IP,IP:127.0.0.1" serverAuth
  issue_cert admin kustody-lab-admin system:masters "" clientAuth
  issue_cert responder kustody-responder "kustody:responders" "" clientAuth
  issue_cert kube-controller-manager system:kube-controller-manager "" "" clientAuth
  issue_cert kube-scheduler system:kube-scheduler "" "" clientAuth
  issue_cert kube-router kustody-lab-kube-router "" "" clientAuth
  if [[ ! -f "$PKI/sa.key" ]]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key" 2>/dev/null
    openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
  fi
  chmod 600 "$PKI"/*.key
  local n
  for n in admin responder kubelet kube-controller-manager kube-scheduler kube-router; do
    write_kubeconfig "$n" "$(openssl x509 -in "$PKI/$n.crt" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')"
  done
}
