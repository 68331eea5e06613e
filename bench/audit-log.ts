/**
 * The bench's audit log: realistic kube-apiserver audit JSON lines (mixed users, verbs and resources,
 * both stages, RequestResponse bodies of a few KiB to tens of KiB for writes), in 256 MiB files like a
 * rotated log, with one target credential used every 5,000 requests.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const FILE_MIB = 256;
/** The credential id whose events the pivot and jq look for. */
export const TARGET_JTI = 'JTI=5e1f0c8a-0b5e-4b9e-9d1a-7c3f2e6a9b10';
const VERBS = ['get', 'get', 'get', 'list', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const RESOURCES = [['', 'pods'], ['', 'configmaps'], ['', 'secrets'], ['', 'services'], ['apps', 'deployments'], ['batch', 'jobs'], ['coordination.k8s.io', 'leases'], ['rbac.authorization.k8s.io', 'rolebindings'], ['', 'events'], ['', 'nodes']] as const;
const AGENTS = ['kubelet/v1.35.4 (linux/amd64) kubernetes/$Format', 'kube-controller-manager/v1.35.4 (linux/amd64) kubernetes/$Format/system:serviceaccount:kube-system:replicaset-controller', 'kubectl/v1.35.4 (linux/amd64) kubernetes/$Format', 'argocd-application-controller/v2.13.1', 'Go-http-client/2.0'];

let seq = 0;
const uuid = (n: number) => `${(n >>> 0).toString(16).padStart(8, '0')}-${(seq & 0xffff).toString(16).padStart(4, '0')}-4abc-9def-${(n * 2654435761 >>> 0).toString(16).padStart(12, '0')}`;
const filler = (n: number) => 'x'.repeat(n);

/** One request as one or two stage lines (RequestReceived at Metadata, ResponseComplete with bodies for writes). */
function request(i: number, ms: number): string {
  seq += 1;
  const target = i % 5_000 === 0;
  const [group, resource] = RESOURCES[i % RESOURCES.length] ?? ['', 'pods'];
  const verb = target ? 'list' : (VERBS[(i * 7) % VERBS.length] ?? 'get');
  const ns = `team-${i % 97}`;
  const sa = `app-${i % 53}`;
  const credential = target ? TARGET_JTI : i % 3 === 0 ? `X509SHA256=${uuid(i % 17).replace(/-/g, '')}` : `JTI=${uuid(i % 5000)}`;
  const user = { username: i % 3 === 0 ? 'system:node:node-7' : `system:serviceaccount:${ns}:${sa}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'], extra: { 'authentication.kubernetes.io/credential-id': [credential], 'authentication.kubernetes.io/node-name': ['node-7'], 'authentication.kubernetes.io/pod-name': [`${sa}-7d9f8-x${i % 11}`] } };
  const name = verb === 'list' || verb === 'watch' ? undefined : `${resource}-${i % 911}`;
  const path = `/${group === '' ? 'api/v1' : `apis/${group}/v1`}/namespaces/${ns}/${resource}${name === undefined ? '' : `/${name}`}`;
  const auditID = uuid(i);
  const stamp = new Date(ms).toISOString().replace('Z', '456Z');
  const base = { apiVersion: 'audit.k8s.io/v1', kind: 'Event', auditID, requestURI: path, verb, user, sourceIPs: [target ? '198.51.100.23' : `10.244.${i % 7}.${i % 250}`], userAgent: target ? 'curl/8.5.0' : AGENTS[i % AGENTS.length], objectRef: { resource, namespace: ns, name, apiGroup: group || undefined, apiVersion: 'v1' } };
  const writes = verb === 'create' || verb === 'update' || verb === 'patch';
  const level = writes ? 'RequestResponse' : 'Metadata';
  const received = JSON.stringify({ ...base, level, stage: 'RequestReceived', requestReceivedTimestamp: stamp, stageTimestamp: stamp });
  const body = writes ? { requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: ns, labels: { app: sa }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': filler(1500 + (i % 9) * 2000) } }, spec: { serviceAccountName: sa, containers: [{ name: 'main', image: `registry.example/${sa}:1.${i % 30}`, env: [{ name: 'MODE', value: 'prod' }], args: [filler(300)] }] } }, responseObject: { kind: 'Status', apiVersion: 'v1', metadata: { resourceVersion: String(i) }, status: 'Success' } } : {};
  const complete = JSON.stringify({ ...base, level, stage: 'ResponseComplete', ...body, responseStatus: { metadata: {}, code: writes ? 201 : 200 }, requestReceivedTimestamp: stamp, stageTimestamp: stamp, annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': `RBAC: allowed by RoleBinding "${sa}/${ns}"` } });
  return i % 2 === 0 ? `${received}\n${complete}\n` : `${complete}\n`;
}

/** Writes the log files; returns their paths, total bytes and how many target events they hold. */
export function generateAuditLogs(dir: string, sizeMiB: number): { files: string[]; bytes: number; targetEvents: number } {
  const files: string[] = [];
  let bytes = 0;
  let i = 0;
  let ms = Date.parse('2026-12-07T00:00:00.000Z');
  let targetEvents = 0;
  for (let f = 0; bytes < sizeMiB * 1024 * 1024; f += 1) {
    const path = join(dir, f === 0 ? 'audit.log' : `audit-${f}.log`);
    files.push(path);
    const fd = openSync(path, 'w');
    let written = 0;
    let chunk: string[] = [];
    let chunkLength = 0;
    while (written + chunkLength < FILE_MIB * 1024 * 1024 && bytes + written + chunkLength < sizeMiB * 1024 * 1024) {
      const lines = request(i, ms);
      if (i % 5_000 === 0) targetEvents += lines.split('\n').length - 1;
      chunk.push(lines);
      chunkLength += lines.length;
      i += 1;
      ms += 7;
      if (chunkLength > 8 * 1024 * 1024) {
        written += writeSync(fd, chunk.join(''));
        chunk = [];
        chunkLength = 0;
      }
    }
    written += writeSync(fd, chunk.join(''));
    closeSync(fd);
    bytes += written;
  }
  return { files, bytes, targetEvents };
}
