/** Mounts that hand the workload a way out or a credential: hostPath, the container runtime socket, ServiceAccount tokens, Secrets. */
import { groupBy, makeFinding, refs, text } from '../make-finding.js';
import type { FactRow, Finding, FindingRule, Severity } from '../types.js';

const SEVERITY: Readonly<Record<string, Severity>> = { 'runtime-socket': 'critical', 'host-path': 'high', 'serviceaccount-token': 'medium', secret: 'medium' };
const WHY: Readonly<Record<string, string>> = {
  'runtime-socket': 'the container runtime socket: whoever can write to it starts containers on the node, with any mounts',
  'host-path': 'a directory of the node: writable, it lets the workload plant files on the node (static pods, cron, keys)',
  'serviceaccount-token': 'a ServiceAccount token the workload (or an intruder in it) can use against the API server',
  secret: 'a Secret volume: its keys are readable by every process in the container',
};

// The runtime's per-sandbox folder: containerd's sandboxes/<id>, CRI-O's overlay-containers/<id>/userdata, Docker's containers/<id>.
const SANDBOX = String.raw`/(?:sandboxes/[0-9a-f]{64}|overlay-containers/[0-9a-f]{64}/userdata|containers/[0-9a-f]{64})`;

/**
 * Files the kubelet and the runtime bind-mount from the node into every container (flagged host-path by
 * capture, but present in every pod), with where on the node each comes from: a hostPath volume an
 * attacker mounts at /etc/hosts has another source, and stays a finding.
 */
export const KUBELET_MANAGED_FILES: Readonly<Record<string, RegExp>> = {
  '/etc/hosts': /\/pods\/[0-9a-f-]{36}\/etc-hosts$/,
  '/dev/termination-log': /\/pods\/[0-9a-f-]{36}\/containers\/[^/]+\/[0-9a-f]+$/,
  '/etc/hostname': new RegExp(`${SANDBOX}/hostname$`),
  '/etc/resolv.conf': new RegExp(`${SANDBOX}/resolv\\.conf$`),
};

function kubeletManaged(mount: FactRow): boolean {
  const source = Object.hasOwn(KUBELET_MANAGED_FILES, text(mount.mount_point)) ? KUBELET_MANAGED_FILES[text(mount.mount_point)] : undefined;
  return mount.flagged === 'host-path' && source !== undefined && source.test(text(mount.root));
}

/** One finding per (target, kind, mount point) flagged at capture; the kubelet's own per-pod files are left out. */
export const sensitiveMountRule: FindingRule = {
  id: 'sensitive-mount',
  describes: 'hostPath, container runtime socket, ServiceAccount token and Secret mounts seen in the workload',
  derive(facts) {
    const flagged = facts.mounts.filter((m) => text(m.flagged) !== '' && !kubeletManaged(m));
    const findings: Finding[] = [];
    for (const [key, rows] of groupBy(flagged, (m) => `${text(m.target)}|${text(m.flagged)}|${text(m.mount_point)}`)) {
      const first = rows[0]!;
      const kind = text(first.flagged);
      const writable = /(^|,)rw(,|$)/.test(text(first.options));
      const base = SEVERITY[kind] ?? 'medium';
      findings.push(makeFinding('sensitive-mount', {
        key,
        severity: kind === 'host-path' && !writable ? 'medium' : base,
        mappingKey: kind,
        title: `${kind} mounted at ${text(first.mount_point)} in ${text(first.target)}`,
        detail: `${text(first.mount_point)} (${text(first.fs_type) || '?'} from ${text(first.source) || '?'}, ${writable ? 'read-write' : 'read-only'}) is ${WHY[kind] ?? 'flagged at capture'}.`,
        evidence: refs('mounts', rows),
      }));
    }
    return findings;
  },
};
