/** Builders for evidence the UI tests browse: a small hostile case and a large one. */
import type { Finding } from '../../src/core/findings/index.js';
import type { ConnectionRecord, CustodyRecord, EvidenceData, ProcessRecord } from '../../src/core/ui/evidence-records.js';

/** Hostile strings: OSC 52 clipboard, OSC 8 link, CSI cursor moves and clear, CR overwrite, bidi override, C1 CSI, DCS. */
export const HOSTILE = {
  osc52: '\x1b]52;c;SGVsbG8=\x07',
  osc8: '\x1b]8;;https://evil.example/\x1b\\kube-dns\x1b]8;;\x1b\\',
  cursor: '\x1b[5;7H\x1b[2J\x1b[1A\x1b[2K',
  overwrite: 'evil\rkube-proxy',
  bidi: 'txt.\u202eexe.sh',
  c1: '\u009b31m\u0090dcs\u009c',
  title: '\x1b]0;pwned\x07',
} as const;

/** A byte a terminal would act on: C0 (except newline), DEL, C1, bidi and zero-width controls. */
export const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/u;

/** Makes a process record with defaults. */
export function makeProcess(over: Partial<ProcessRecord> & { pid: number }): ProcessRecord {
  return { rowid: over.pid, target: 'pod:shop/suspect', captureId: 'cap-1', ppid: 1, uid: 0, comm: 'sh', cmdline: 'sh', exe: '/bin/busybox', exeDeleted: false, state: 'S', cwd: '/', capEff: '0', mntNs: 'mnt:[4026532252]', ...over };
}

/** A small case whose processes, connection, object labels/annotations and custody rows carry every hostile string. */
export function hostileEvidence(): EvidenceData {
  const processes: ProcessRecord[] = [
    makeProcess({ pid: 1, ppid: 0, comm: 'sh', cmdline: 'sh -c cat /var/run/secrets/kubernetes.io/serviceaccount/token' }),
    makeProcess({ pid: 9, comm: 'busybox.x', cmdline: '/tmp/busybox.x sleep 100000', exe: '/tmp/busybox.x', exeDeleted: true }),
    makeProcess({ pid: 21, ppid: 9, comm: HOSTILE.osc52, cmdline: `${HOSTILE.overwrite} ${HOSTILE.cursor}` }),
    makeProcess({
      pid: 22, ppid: 9, comm: HOSTILE.bidi, cmdline: `nc ${HOSTILE.osc8} ${HOSTILE.c1} ${HOSTILE.title}`, exeSha256: 'ab'.repeat(32), startTime: '264575', seccomp: 0,
      envJson: JSON.stringify([['PATH', '/bin'], [`EVIL${HOSTILE.osc52}`, HOSTILE.cursor], ['AWS_SECRET_ACCESS_KEY', 'hmac-sha256:0011223344556677']]),
    }),
  ];
  const connections: ConnectionRecord[] = [
    { rowid: 1, captureId: 'cap-1', target: 'pod:shop/suspect', proto: 'tcp', localAddr: '10.244.0.9', localPort: 37364, remoteAddr: '10.244.0.7', remotePort: 8080, state: 'ESTABLISHED', pid: 22 },
  ];
  const pod = { metadata: { name: 'suspect', namespace: 'shop', labels: { app: 'suspect' }, annotations: { note: HOSTILE.osc8, [`evil${HOSTILE.osc52}`]: HOSTILE.cursor } }, spec: { serviceAccountName: 'web', nodeName: 'lab-node' } };
  const custody: CustodyRecord[] = [
    { seq: 1, at: '2026-11-27T04:56:55.265Z', actor: 'root@vm', kind: 'case-open', target: 'case-1', outcome: 'ok', detail: '{"title":"demo"}', hash: 'a'.repeat(64) },
    { seq: 2, at: '2026-11-27T04:56:55.662Z', actor: 'root@vm via responder', kind: 'observe', target: `pod:shop/${HOSTILE.overwrite}`, outcome: 'ok', detail: JSON.stringify({ comm: HOSTILE.osc52 }), hash: 'b'.repeat(64) },
    { seq: 3, at: '2026-11-27T05:00:00.000Z', actor: 'root@vm', kind: 'observe', target: 'pod:shop/suspect', outcome: 'isolation-incomplete', detail: JSON.stringify({ step: 'isolation-check', error: null, established: [{ proto: 'tcp', local_addr: '10.244.0.9', local_port: 37364, remote_addr: `10.244.0.7${HOSTILE.osc52}`, remote_port: 8080, pid: 22 }] }), hash: 'c'.repeat(64) },
    { seq: 4, at: '2026-11-27T05:01:00.000Z', actor: 'root@vm', kind: 'note', target: 'case-1', outcome: 'ok', detail: JSON.stringify({ text: `called the owner ${HOSTILE.bidi} ${HOSTILE.title}` }), hash: 'd'.repeat(64) },
  ];
  const findings: Finding[] = [
    { id: 'isolation-survivor:x', rule: 'isolation-survivor', severity: 'critical', title: 'A connection survived isolation', detail: 'tcp to 10.244.0.7:8080', evidence: [{ table: 'actions', rowid: 3 }, { table: 'connections', rowid: 1 }, { table: 'audit_events', rowid: 7 }], mappings: [] },
    { id: 'deleted-executable:x', rule: 'deleted-executable', severity: 'high', title: `Deleted executable ${HOSTILE.osc52} still running`, detail: `pid 9 runs ${HOSTILE.cursor}`, evidence: [{ table: 'processes', rowid: 9 }], mappings: [{ framework: 'threat-matrix-k8s', id: 'MS-TA9008' }], at: '2026-11-27T04:56:55.662Z' },
  ];
  return {
    caseId: 'case-1', title: `demo ${HOSTILE.title}`, createdAt: '2026-11-27T04:56:55.265Z',
    origin: { kind: 'case', path: '/cases/case-1', integrity: 'chain-ok' },
    processes, connections,
    mounts: [{ rowid: 1, captureId: 'cap-1', mntNs: 'mnt:[4026532252]', target: 'pod:shop/suspect', pid: 1, mountPoint: `/mnt/${HOSTILE.cursor}`, fsType: 'tmpfs', source: 'tmpfs', options: 'rw', flagged: null }],
    credentials: [{ rowid: 1, captureId: 'cap-1', target: 'pod:shop/suspect', kind: 'serviceaccount-token', location: 'file:/var/run/secrets/kubernetes.io/serviceaccount/token', subject: 'system:serviceaccount:shop:web', fingerprint: 'hmac-sha256:f927e911c4c7', expiresAt: '2027-11-27T04:56:48.000Z', claimsJson: JSON.stringify({ jwt: { jti: 'faba94f4', aud: ['https://kubernetes.default.svc'], sub: `system:serviceaccount:shop:${HOSTILE.bidi}`, exp: 1827211008, iat: 1795675008 } }), pid: null }],
    warnings: [{ rowid: 1, captureId: 'cap-1', target: 'pod:shop/suspect', step: 'processes', pid: 21, code: 'READ_FAILED', message: `environ: ${HOSTILE.title} permission denied` }],
    findings,
    objects: [{ rowid: 1, target: 'pod:shop/suspect', kind: 'Pod', namespace: 'shop', name: 'suspect', uid: 'uid-1', resourceVersion: '42', json: JSON.stringify(pod) }],
    custody,
  };
}

/** A case with `count` processes (a deep-ish tree), `count` connections and custody rows, for windowing and filtering. */
export function bigEvidence(count: number): EvidenceData {
  const processes: ProcessRecord[] = [];
  const connections: ConnectionRecord[] = [];
  const custody: CustodyRecord[] = [];
  for (let i = 0; i < count; i++) {
    const pid = i + 1;
    processes.push(makeProcess({ pid, ppid: pid === 1 ? 0 : Math.max(1, Math.floor(pid / 3)), comm: i % 97 === 0 ? 'miner' : `worker-${pid}`, cmdline: `/usr/bin/worker --id ${pid} --shard ${pid % 16}` }));
    connections.push({ target: 'pod:shop/suspect', proto: 'tcp', localAddr: '10.0.0.1', localPort: 10000 + (i % 50000), remoteAddr: `10.1.${i % 250}.${i % 200}`, remotePort: 443, state: 'ESTABLISHED', pid });
    custody.push({ seq: pid, at: '2026-11-27T04:56:55.265Z', actor: 'root@vm', kind: 'observe', target: 'pod:shop/suspect', outcome: 'ok', detail: '{}', hash: pid.toString(16).padStart(64, '0') });
  }
  return { ...hostileEvidence(), caseId: 'case-big', title: 'big', processes, connections, custody, findings: [] };
}
