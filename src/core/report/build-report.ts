/** Assembles the report model from a case's facts, findings and stored rows; pure. */
import { FRAMEWORK_ENTRIES } from '../findings/framework-map.js';
import { asObject, asString } from '../findings/json-fields.js';
import type { ActionFact, CaseFacts, Finding } from '../findings/types.js';
import { summarizeAction } from './custody-summary.js';
import { describeChanges, describeFootprints, describePlans } from './changes-section.js';
import { REPORT_LIMITS, type ReportArtifact, type ReportIntegrity, type ReportModel, type ReportTimelineEvent } from './model.js';

/** Everything the builder needs; the adapter reads it. */
export interface ReportInputs {
  readonly generatedAt: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly caseMeta: { id: string; title: string; created_at: string; tool_name: string; tool_version: string; sqlite_version: string; host: string; os_user: string; clock_note: string };
  readonly schemaVersion: number;
  readonly integrity: ReportIntegrity;
  readonly facts: CaseFacts;
  readonly findings: readonly Finding[];
  /** `table:rowid` → one line describing that row. */
  readonly evidenceLines: ReadonlyMap<string, string>;
  readonly counts: Readonly<Record<string, number>>;
  readonly artifacts: readonly ReportArtifact[];
  readonly artifactTotal: number;
  /** The custody section, read bounded: the first rows with their hashes, the plan rows, the responders, the total. */
  readonly custody: { readonly rows: readonly (ActionFact & { readonly hash: string })[]; readonly plans: readonly ActionFact[]; readonly actors: readonly string[]; readonly total: number };
  /** The earliest timeline events (at most REPORT_LIMITS.timeline), how many events there are in all, and the first undated items of `gapTotal`. */
  readonly timeline: { readonly events: readonly ReportTimelineEvent[]; readonly total: number; readonly source: string; readonly gaps: readonly string[]; readonly gapTotal: number };
}

function outcomeLines(inputs: ReportInputs): { contained: string[]; revoked: string[] } {
  const contained: string[] = [];
  const revoked: string[] = [];
  for (const a of inputs.facts.actions) {
    const d = asObject(a.detail);
    if (a.kind === 'contain' && a.outcome === 'applied') contained.push(`${asString(d.title) ?? a.target} (applied and read back, ${a.at})`);
    if (a.kind === 'contain' && (a.outcome === 'cut' || a.outcome === 'incomplete')) contained.push(`connections cut on ${a.target}: ${a.outcome} (${a.at})`);
    if (a.kind === 'observe' && d.step === 'isolation-check') contained.push(`isolation check of ${a.target}: ${a.outcome} (${a.at})`);
    if (a.kind === 'revoke' && a.outcome === 'applied') revoked.push(`${asString(d.title) ?? a.target} (applied and read back, ${a.at})`);
    if (a.kind === 'revoke' && (d.step === 'verify-tokens' || d.step === 'verify-rbac')) revoked.push(`${d.step} for ${a.target}: ${a.outcome} (${a.at})`);
  }
  return { contained, revoked };
}

/** Builds the report model. */
export function buildReport(inputs: ReportInputs): ReportModel {
  const bySeverity: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of inputs.findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  const urgent = inputs.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
  const { contained, revoked } = outcomeLines(inputs);
  const findings = inputs.findings.map((f) => ({
    ...f,
    evidenceLines: f.evidence.slice(0, REPORT_LIMITS.evidencePerFinding).map((e) => `${e.table} row ${e.rowid}: ${inputs.evidenceLines.get(`${e.table}:${e.rowid}`) ?? '(row not found)'}`),
  }));
  const changes = describeChanges(inputs.facts.actions);
  const custodyRows = inputs.custody.rows.slice(0, REPORT_LIMITS.custody).map((a) => ({
    seq: a.seq, at: a.at, actor: a.actor, kind: a.kind, target: a.target, outcome: a.outcome, summary: summarizeAction(a.kind, a.outcome, a.detail), hash: a.hash,
  }));
  const mapped = new Set(inputs.findings.flatMap((f) => f.mappings.map((m) => `${m.framework}:${m.id}`)));
  const gaps = inputs.findings.filter((f) => f.rule === 'capture-gap').map((f) => `${f.title}: ${f.detail}`);
  return {
    generatedAt: inputs.generatedAt,
    tool: inputs.tool,
    case: { id: inputs.caseMeta.id, title: inputs.caseMeta.title, createdAt: inputs.caseMeta.created_at, toolName: inputs.caseMeta.tool_name, toolVersion: inputs.caseMeta.tool_version, sqliteVersion: inputs.caseMeta.sqlite_version, host: inputs.caseMeta.host, osUser: inputs.caseMeta.os_user, clockNote: inputs.caseMeta.clock_note, schemaVersion: inputs.schemaVersion },
    integrity: inputs.integrity,
    summary: {
      bySeverity,
      happened: urgent.slice(0, 12).map((f) => `${f.severity.toUpperCase()}: ${f.title}`),
      contained: contained.slice(-20),
      revoked: revoked.slice(-20),
      open: inputs.findings.filter((f) => (f.severity === 'critical' || f.severity === 'high' || f.rule === 'open-checklist-item') && f.rule !== 'capture-gap').slice(0, 20).map((f) => f.title),
    },
    findings,
    timeline: { events: inputs.timeline.events.slice(0, REPORT_LIMITS.timeline), omitted: Math.max(0, inputs.timeline.total - Math.min(inputs.timeline.events.length, REPORT_LIMITS.timeline)), source: inputs.timeline.source },
    plans: describePlans(inputs.custody.plans),
    changes: { items: changes.slice(0, REPORT_LIMITS.changes), omitted: Math.max(0, changes.length - REPORT_LIMITS.changes) },
    footprints: describeFootprints(inputs.facts),
    inventory: { counts: inputs.counts, artifacts: inputs.artifacts, omitted: Math.max(0, inputs.artifactTotal - inputs.artifacts.length) },
    custody: { rows: custodyRows, omitted: Math.max(0, inputs.custody.total - custodyRows.length), total: inputs.custody.total },
    responders: [...new Set([`${inputs.caseMeta.os_user}@${inputs.caseMeta.host}`, ...inputs.custody.actors])],
    limitations: [
      ...gaps,
      ...inputs.timeline.gaps.slice(0, 10).map((g) => `Timeline: ${g}`),
      ...(inputs.timeline.gapTotal > 10 ? [`Timeline: ${inputs.timeline.gapTotal - Math.min(10, inputs.timeline.gaps.length)} more items could not be dated.`] : []),
      'Secrets are stored only as HMAC fingerprints keyed with the case key; the detection rules are heuristics, so a secret in a form none of them recognises is stored as read.',
      'Times are the responder machine\'s UTC clock (see the clock note); process start times are derived from boot time and start ticks.',
      ...(inputs.integrity.source === 'case' ? ['Read from a live case folder: rows removed from the end of the custody log would leave a shorter, intact chain. Compare the head with the one recorded at export.'] : []),
      ...(inputs.integrity.verdict === 'CONSISTENT' ? ['The bundle is intact in itself but its origin is not proven: pass the signer\'s --pubkey or the --sha256 recorded at export.'] : []),
      'Findings are derived by rules from stored rows; they are leads for an examiner, not conclusions.',
    ],
    frameworks: FRAMEWORK_ENTRIES.filter((e) => mapped.has(`${e.framework}:${e.id}`)).map((e) => ({ framework: e.framework, id: e.id, name: e.name, url: e.url })),
  };
}
