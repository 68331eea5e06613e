/**
 * The shapes of findings and of the read-only case facts the rules derive them from. Facts are plain
 * rows (an adapter reads SQLite; core only derives), each with the rowid the finding cites.
 */
import type { JsonValue } from '../custody/canonical-json.js';

/** How much a finding matters to the responder, most urgent first. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** The frameworks a finding is mapped to. */
export type Framework = 'attack-containers' | 'threat-matrix-k8s' | 'owasp-nhi-2025' | 'nist-csf-2.0';

/** One framework id a finding fits. */
export interface FrameworkMapping {
  readonly framework: Framework;
  readonly id: string;
}

/** One stored row a finding rests on. For `actions` the rowid is the custody `seq`. */
export interface EvidenceRef {
  readonly table: string;
  readonly rowid: number;
}

/** One thing a reviewer should know about the case, with the rows that prove it. */
export interface Finding {
  /** Stable across runs: the rule id and a key naming what it is about. */
  readonly id: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly detail: string;
  /** At most MAX_EVIDENCE_ROWS rows; `evidenceOmitted` counts the rest. */
  readonly evidence: readonly EvidenceRef[];
  readonly evidenceOmitted?: number;
  readonly mappings: readonly FrameworkMapping[];
  /** ISO-8601 UTC: when it was observed, when known. */
  readonly at?: string;
}

/** A stored row read as the rules see it: column values plus its rowid. */
export interface FactRow {
  readonly rowid: number;
  readonly [column: string]: string | number | null;
}

/** One custody row, its detail parsed. */
export interface ActionFact {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly kind: string;
  readonly target: string;
  readonly outcome: string;
  readonly detail: JsonValue;
}

/** The custody row kinds any rule reads; a rule that needs another kind adds it here. */
export const FINDING_ACTION_KINDS: readonly string[] = ['observe', 'contain', 'revoke', 'footprint', 'playbook'];

/** Everything the rules may read about one case. Tables a case predates read as empty arrays. */
export interface CaseFacts {
  readonly caseId: string;
  /** When the findings are derived (ISO-8601 UTC): credentials are judged valid or expired against it. */
  readonly now: string;
  /** Custody rows (for findings alone, those of FINDING_ACTION_KINDS suffice). */
  readonly actions: readonly ActionFact[];
  readonly captures: readonly FactRow[];
  readonly processes: readonly FactRow[];
  readonly connections: readonly FactRow[];
  readonly mounts: readonly FactRow[];
  readonly credentials: readonly FactRow[];
  readonly warnings: readonly FactRow[];
  /** Pods as captured (`k8s_objects` rows of kind Pod, `json` parsed), newest last. */
  readonly pods: readonly FactRow[];
  /** Optional tables other modules add (audit_events, persistence tables), by table name; absent tables read as []. */
  readonly extra: Readonly<Record<string, readonly FactRow[]>>;
  /** Tables read only up to a row budget (the rest stayed on disk): the findings rest on part of the case. */
  readonly limited?: readonly { readonly table: string; readonly read: number }[];
}

/** A rule: its id (stable, used in finding ids and the framework map) and how it derives findings. */
export interface FindingRule {
  readonly id: string;
  /** One line saying what the rule looks for (listed in reports and docs). */
  readonly describes: string;
  derive(facts: CaseFacts): Finding[];
}
