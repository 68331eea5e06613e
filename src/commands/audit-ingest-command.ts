/** `kustody audit ingest --case CASE --log FILE…`: stores kube-apiserver audit events in the case. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { CASE_DB_FILE, readCaseKey, resolveCaseDir } from '../adapters/store/case-store.js';
import { openWritableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity, utcNow } from '../adapters/system/responder-env.js';
import { DEFAULT_INGEST_LIMITS, ingestAuditLogs, type FileSummary, type IngestProgress } from '../runner/run-audit-ingest.js';
import { defaultCaseParent, type Command } from './command.js';

/** `kustody audit ingest`. */
export const auditIngest: Command = {
  path: ['audit', 'ingest'],
  usage: 'kustody audit ingest --case CASE --log FILE [FILE…] [--max-line-bytes N] [--json]',
  summary: 'store kube-apiserver audit events (JSON lines, rotated, .gz, EKS/GKE/AKS exports) in the case',
  help: [
    'Reads each FILE as hostile input, line by line in bounded memory: plain or gzip (by content, not name), the lines of',
    'kube-apiserver --audit-log-path, EKS CloudWatch exports, AKS diagnostic-setting records and GKE Cloud Logging entries.',
    'Every stage of every event becomes one audit_events row; request and response bodies are not stored (RBAC subjects',
    'and rules, TokenRequest specs and pod-spec summaries are). Malformed lines, lines over --max-line-bytes (default 8 MiB)',
    'and unparsable events are counted and skipped. Ingesting a file again adds no duplicates. Each batch and each file is',
    'in the custody log with its line range and SHA-256 (`sed -n A,Bp FILE | sha256sum` and `sha256sum FILE` check them).',
  ].join('\n'),
  options: { case: { type: 'string' }, log: { type: 'string', multiple: true }, 'max-line-bytes': { type: 'string' } },
  positionals: { min: 0, max: 10_000 },
  async run(args, { io, json, env }) {
    const caseArg = args.values.case;
    if (typeof caseArg !== 'string') throw new UsageError('audit ingest needs --case CASE.', 'Open one with `kustody case new` and pass its folder.');
    const logs = args.values.log as unknown;
    const files = [...(Array.isArray(logs) ? (logs as string[]) : []), ...args.positionals];
    if (files.length === 0) throw new UsageError('audit ingest needs at least one --log FILE.', 'Pass the audit log (e.g. /var/log/kubernetes/audit.log) and its rotated files.');
    const maxLine = args.values['max-line-bytes'];
    const maxLineBytes = typeof maxLine === 'string' ? Number(maxLine) : DEFAULT_INGEST_LIMITS.maxLineBytes;
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1024) throw new UsageError('--max-line-bytes must be a whole number of bytes, at least 1024.');
    const caseDir = resolveCaseDir(caseArg, defaultCaseParent(env));
    const caseKey = readCaseKey(caseDir);
    const sizes = files.map((f) => { try { return statSync(f).size; } catch { return 0; } });
    const db = openWritableDb(join(caseDir, CASE_DB_FILE));
    const bar = !json && process.stderr.isTTY === true ? progressBar() : null;
    try {
      const who = readResponderIdentity();
      const summaries = await ingestAuditLogs(db, { files, caseKey, sizes, limits: { ...DEFAULT_INGEST_LIMITS, maxLineBytes }, actor: `${who.osUser}@${who.host}`, now: utcNow, onProgress: bar?.update });
      bar?.done();
      if (json) io.out(toSafeJson({ files: summaries }));
      else for (const s of summaries) for (const line of describeFile(s)) io.out(line);
      return 0;
    } finally {
      bar?.done();
      db.close();
    }
  },
};

/** The lines printed for one ingested file, every logged value escaped. */
export function describeFile(s: FileSummary): DisplayText[] {
  const e = (text: string) => escapeUntrusted(text, { maxBytes: 400 });
  const skipped = Object.entries(s.skipped).filter(([reason, n]) => n > 0 && reason !== 'blank').map(([reason, n]) => `${n} ${reason}`).join(', ');
  const lines = [
    display`${e(s.file)}${s.gzip ? trusted(' (gzip)') : trusted('')}: ${s.lines} lines, ${s.events} events, ${s.inserted} new, ${s.duplicates} already in the case`,
    display`  sha256 ${e(s.sha256)}  ${s.size} bytes  ${e(s.firstAt ?? '-')} .. ${e(s.lastAt ?? '-')}`,
  ];
  if (skipped !== '') lines.push(display`  skipped: ${e(skipped)} (line numbers in the custody log)`);
  if (s.invalidUtf8Lines > 0) lines.push(display`  ${s.invalidUtf8Lines} lines held invalid UTF-8 (stored as \\xNN, rows marked text_escaped)`);
  if (s.outOfOrder > 0) lines.push(display`  ${s.outOfOrder} events more than a minute older than one logged before them (clock skew or merged logs): times are kept as logged`);
  if (s.cut !== null) lines.push(display`  CUT: ${e(s.cut)}`);
  return lines;
}

function progressBar(): { update: (p: IngestProgress) => void; done: () => void } {
  let last = 0;
  let shown = false;
  return {
    update: (p) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      const fraction = p.totalRawBytes > 0 ? Math.min(1, p.rawBytes / p.totalRawBytes) : 0;
      const filled = Math.round(fraction * 30);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  file ${p.fileIndex + 1}/${p.files}  ${p.events} events`);
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
