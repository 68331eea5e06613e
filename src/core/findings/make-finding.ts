/** Builds a finding the same way for every rule: a stable id, bounded evidence, mappings from the framework map. */
import { mappingsFor } from './framework-map.js';
import type { EvidenceRef, Finding, Severity } from './types.js';

/** Evidence rows kept on one finding; the rest are counted in `evidenceOmitted`. */
export const MAX_EVIDENCE_ROWS = 50;

/** Longest title and detail kept (characters): rules quote workload text, which may be megabytes. */
export const MAX_TITLE_CHARS = 300;
export const MAX_DETAIL_CHARS = 4000;

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}… [+${value.length - max} chars]` : value;
}

/** What a rule says about one finding; the id, mappings and evidence bound are filled in here. */
export interface FindingDraft {
  readonly key: string;
  readonly severity: Severity;
  readonly title: string;
  readonly detail: string;
  readonly evidence: readonly EvidenceRef[];
  /** A mapping key below the rule (`sensitive-mount/host-path`), when the rule maps differently per kind. */
  readonly mappingKey?: string;
  readonly at?: string | null;
}

/** Makes one finding of rule `rule` from a draft. */
export function makeFinding(rule: string, draft: FindingDraft): Finding {
  const evidence = draft.evidence.slice(0, MAX_EVIDENCE_ROWS);
  const omitted = draft.evidence.length - evidence.length;
  return {
    id: `${rule}:${draft.key}`,
    rule,
    severity: draft.severity,
    title: clip(draft.title, MAX_TITLE_CHARS),
    detail: clip(draft.detail, MAX_DETAIL_CHARS),
    evidence,
    ...(omitted > 0 ? { evidenceOmitted: omitted } : {}),
    mappings: mappingsFor(rule, draft.mappingKey),
    ...(draft.at ? { at: draft.at } : {}),
  };
}

/** Groups rows by a key, keeping first-seen order. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [row]);
    else list.push(row);
  }
  return groups;
}

/** A column as text ('' when NULL). */
export function text(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** The refs of rows of one table. */
export function refs(table: string, rows: readonly { rowid: number }[]): EvidenceRef[] {
  return rows.map((row) => ({ table, rowid: row.rowid }));
}
