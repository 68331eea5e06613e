/**
 * What a report holds, independent of its format. Every string in it that came from the case (names,
 * targets, notes, messages) is untrusted; renderers escape it. Lists are bounded (REPORT_LIMITS) and
 * say how many entries they left out.
 */
import type { Finding } from '../findings/types.js';

/** Caps on the long lists, so a case of 100,000 rows gives a report a browser opens. */
export const REPORT_LIMITS = { artifacts: 5000, custody: 2000, plans: 500, responders: 100, timeline: 5000, changes: 2000, evidencePerFinding: 20 } as const;

/** One event of the report's timeline (the timeline module's TimelineEvent shape). */
export interface ReportTimelineEvent {
  readonly datetime: string;
  readonly timestampDesc: string;
  readonly message: string;
  readonly source: { readonly table: string; readonly rowid: number };
  readonly derived?: string;
}

/** A finding with one line describing each evidence row it cites. */
export interface ReportFinding extends Finding {
  readonly evidenceLines: readonly string[];
}

/** One change kustody planned or made, with every state it went through. */
export interface ReportChange {
  readonly plan: string;
  readonly changeId: string;
  readonly kind: string;
  readonly title: string;
  readonly target: string;
  /** intent, applied, unverified, failed, already-in-effect, … in order, each with its custody seq and time. */
  readonly states: readonly { readonly outcome: string; readonly seq: number; readonly at: string }[];
  /** applied and read back; unverified; failed; left at intent; planned only. */
  readonly verdict: string;
  readonly isUndo: boolean;
}

/** One plan row: what was proposed and what happened to the proposal. */
export interface ReportPlan {
  readonly seq: number;
  readonly at: string;
  readonly plan: string;
  readonly target: string;
  readonly outcome: string;
}

/** Something kustody left in or did to the cluster while collecting. */
export interface ReportFootprint {
  readonly seq: number;
  readonly at: string;
  readonly what: string;
  readonly detail: string;
}

/** One stored artifact and its hash. */
export interface ReportArtifact {
  readonly id: number;
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
  readonly source: string;
  readonly vantage: string;
  readonly collectedAt: string;
  readonly truncated: boolean;
}

/** One custody row, summarised. */
export interface ReportCustodyRow {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly kind: string;
  readonly target: string;
  readonly outcome: string;
  readonly summary: string;
  readonly hash: string;
}

/** How the source was checked before it was read. */
export interface ReportIntegrity {
  readonly source: 'case' | 'bundle';
  readonly path: string;
  /** AUTHENTIC / CONSISTENT for a bundle; INTACT CHAIN for a live case. */
  readonly verdict: string;
  readonly explanation: string;
  readonly sha256: string | null;
  readonly signature: string | null;
  readonly custodyHead: { readonly seq: number; readonly hash: string } | null;
  readonly notes: readonly string[];
}

/** The whole report. */
export interface ReportModel {
  readonly generatedAt: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly case: { readonly id: string; readonly title: string; readonly createdAt: string; readonly toolName: string; readonly toolVersion: string; readonly sqliteVersion: string; readonly host: string; readonly osUser: string; readonly clockNote: string; readonly schemaVersion: number };
  readonly integrity: ReportIntegrity;
  readonly summary: {
    readonly bySeverity: Readonly<Record<string, number>>;
    readonly happened: readonly string[];
    readonly contained: readonly string[];
    readonly revoked: readonly string[];
    readonly open: readonly string[];
  };
  readonly findings: readonly ReportFinding[];
  readonly timeline: { readonly events: readonly ReportTimelineEvent[]; readonly omitted: number; readonly source: string };
  readonly plans: readonly ReportPlan[];
  readonly changes: { readonly items: readonly ReportChange[]; readonly omitted: number };
  readonly footprints: readonly ReportFootprint[];
  readonly inventory: { readonly counts: Readonly<Record<string, number>>; readonly artifacts: readonly ReportArtifact[]; readonly omitted: number };
  readonly custody: { readonly rows: readonly ReportCustodyRow[]; readonly omitted: number; readonly total: number };
  readonly responders: readonly string[];
  readonly limitations: readonly string[];
  readonly frameworks: readonly { readonly framework: string; readonly id: string; readonly name: string; readonly url: string }[];
}
