// The evidence a reviewer browses, as plain records read from a case (every string in them is
// hostile: it came from the workload or the cluster); pure types, no I/O.
import type { Finding } from '../findings/index.js';

/** One captured process. */
export interface ProcessRecord {
  /** The row's SQLite rowid (what findings and links point at). */
  readonly rowid?: number;
  readonly target: string;
  readonly captureId: string;
  readonly pid: number;
  readonly ppid: number | null;
  readonly uid: number | null;
  readonly comm: string | null;
  readonly cmdline: string | null;
  readonly exe: string | null;
  readonly exeDeleted: boolean;
  readonly state: string | null;
  readonly cwd: string | null;
  readonly capEff: string | null;
  readonly exeSha256?: string | null;
  /** Clock ticks after boot at which the process started, as decimal text (64-bit). */
  readonly startTime?: string | null;
  /** 0 disabled, 1 strict, 2 filter. */
  readonly seccomp?: number | null;
  /** The environment as capture stored it: credential values already replaced by fingerprints. */
  readonly envJson?: string | null;
  /** The mount namespace, `mnt:[inode]`, which links the process to its mounts. */
  readonly mntNs?: string | null;
}

/** One captured socket. */
export interface ConnectionRecord {
  readonly rowid?: number;
  readonly captureId?: string;
  readonly target: string;
  readonly proto: string;
  readonly localAddr: string | null;
  readonly localPort: number | null;
  readonly remoteAddr: string | null;
  readonly remotePort: number | null;
  readonly state: string | null;
  readonly pid: number | null;
}

/** One captured mount. */
export interface MountRecord {
  readonly rowid?: number;
  readonly captureId?: string;
  readonly target: string;
  readonly pid: number | null;
  readonly mountPoint: string;
  readonly fsType: string | null;
  readonly source: string | null;
  readonly options: string | null;
  readonly flagged: string | null;
  readonly mntNs?: string | null;
}

/** One credential found: its claims and keyed fingerprint, never its value. */
export interface CredentialRecord {
  readonly rowid?: number;
  readonly captureId?: string;
  readonly target: string;
  readonly kind: string;
  readonly location: string;
  readonly subject: string | null;
  readonly fingerprint: string;
  readonly expiresAt: string | null;
  readonly claimsJson: string | null;
  readonly pid: number | null;
}

/** One Kubernetes object captured beside the pod (Secrets without their data). */
export interface ObjectRecord {
  readonly rowid?: number;
  readonly target: string;
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly uid: string | null;
  readonly resourceVersion: string | null;
  readonly json: string;
}

/** One custody-log row. */
export interface CustodyRecord {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly kind: string;
  readonly target: string;
  readonly outcome: string;
  readonly detail: string;
  readonly hash: string;
}

/** One thing a capture could not read or parse (capture_warnings). */
export interface WarningRecord {
  readonly rowid: number;
  readonly captureId: string;
  readonly target: string;
  readonly step: string;
  readonly pid: number | null;
  readonly code: string;
  readonly message: string;
}

/** Where the evidence came from and what checking it found. */
export interface EvidenceOrigin {
  readonly kind: 'case' | 'bundle' | 'demo';
  readonly path: string;
  /** `intact` for a verified bundle, `chain-ok` for a case whose custody chain recomputes, else what broke. */
  readonly integrity: string;
}

/** Everything the evidence browser shows for one case. */
export interface EvidenceData {
  readonly caseId: string;
  readonly title: string;
  readonly createdAt: string;
  readonly origin: EvidenceOrigin;
  readonly processes: readonly ProcessRecord[];
  readonly connections: readonly ConnectionRecord[];
  readonly mounts: readonly MountRecord[];
  readonly credentials: readonly CredentialRecord[];
  readonly objects: readonly ObjectRecord[];
  readonly custody: readonly CustodyRecord[];
  /** What captures could not read (absent in cases read before the table existed). */
  readonly warnings?: readonly WarningRecord[];
  /** What the finding rules derived from the whole case, most urgent first. */
  readonly findings?: readonly Finding[];
  /** Why findings are missing, when they could not be derived. */
  readonly findingsError?: string;
}
