/** Reads what a report needs from an opened case database and builds the model. */
import { deriveFindings } from '../../core/findings/index.js';
import { buildReport } from '../../core/report/build-report.js';
import { REPORT_LIMITS, type ReportArtifact, type ReportIntegrity, type ReportModel } from '../../core/report/model.js';
import { TOOL_NAME, TOOL_VERSION } from '../../version.js';
import { readCaseFacts } from '../findings/read-case-facts.js';
import { readCaseMetadata } from '../store/case-reader.js';
import { countRows } from '../store/case-store.js';
import type { ReadableDb } from '../store/open-store.js';
import { readCustodySection } from './read-custody-section.js';
import { readEvidenceLines } from './evidence-lines.js';
import { reportTimeline } from './report-timeline.js';

function readArtifacts(db: ReadableDb): { artifacts: ReportArtifact[]; total: number } {
  const total = Number((db.prepare('SELECT count(*) AS n FROM artifacts').get() as { n: number }).n);
  const rows = db.prepare('SELECT id, sha256, size, media_type, source, vantage, collected_at, truncated FROM artifacts ORDER BY id LIMIT ?').all(REPORT_LIMITS.artifacts) as Record<string, unknown>[];
  return {
    total,
    artifacts: rows.map((r) => ({ id: Number(r.id), sha256: String(r.sha256), size: Number(r.size), mediaType: String(r.media_type), source: String(r.source), vantage: String(r.vantage), collectedAt: String(r.collected_at), truncated: Number(r.truncated) === 1 })),
  };
}

/** Rows of each evidence table the findings are derived from (as review): a table with more is named in an info finding. */
export const FACT_ROWS_PER_TABLE = 100_000;

/** The report model of one case, judged at `now` (ISO UTC). */
export function readReportModel(db: ReadableDb, integrity: ReportIntegrity, now: string): ReportModel {
  const facts = readCaseFacts(db, now, { findingsOnly: true, maxRowsPerTable: FACT_ROWS_PER_TABLE });
  const findings = deriveFindings(facts);
  const { artifacts, total } = readArtifacts(db);
  return buildReport({
    generatedAt: now,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    caseMeta: readCaseMetadata(db),
    schemaVersion: Number(db.pragma('user_version', { simple: true })),
    integrity,
    facts,
    findings,
    evidenceLines: readEvidenceLines(db, findings, REPORT_LIMITS.evidencePerFinding),
    counts: countRows(db),
    artifacts,
    artifactTotal: total,
    custody: readCustodySection(db),
    timeline: reportTimeline(db),
  });
}
