/** `kustody case new|note|show`: open a case, add responder notes, and print what a case holds. */
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { readChainState, type ChainState } from '../adapters/store/case-chain.js';
import { readCaseSummary, type CaseSummary } from '../adapters/store/case-reader.js';
import { recordNote } from '../adapters/store/case-notes.js';
import { createCase, resolveCaseDir, CASE_DB_FILE } from '../adapters/store/case-store.js';
import { openReadableDb, openWritableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity, utcNow } from '../adapters/system/responder-env.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { defaultCaseParent, type Command } from './command.js';
import { join } from 'node:path';

const MAX_NOTE_BYTES = 64 * 1024;

/** `kustody case new`: creates a case directory and prints its id and path. */
export const caseNew: Command = {
  path: ['case', 'new'],
  usage: 'kustody case new [--dir DIR] [--title TEXT] [--json]',
  summary: 'open a new case (a private folder holding evidence.db)',
  help: 'Creates DIR/<case-id>/ (mode 0700) with evidence.db and case.key, and records who opened it, where and when.\nDIR defaults to $KUSTODY_CASE_DIR or ./cases.',
  options: { dir: { type: 'string' }, title: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(args, { io, json, env }) {
    const who = readResponderIdentity();
    const title = typeof args.values.title === 'string' ? args.values.title : 'untitled case';
    const parentDir = typeof args.values.dir === 'string' ? args.values.dir : defaultCaseParent(env);
    const created = createCase({ parentDir, title, now: utcNow(), toolName: TOOL_NAME, toolVersion: TOOL_VERSION, ...who });
    created.db.close();
    if (json) io.out(toSafeJson({ id: created.id, path: created.path }));
    else io.out(display`Opened case ${escapeUntrusted(created.id)} at ${escapeUntrusted(created.path)}`);
    return 0;
  },
};

/** `kustody case note`: appends a responder note to the custody log. */
export const caseNote: Command = {
  path: ['case', 'note'],
  usage: 'kustody case note CASE TEXT [--json]',
  summary: 'append a responder note to the custody log',
  help: 'CASE is the case folder (or its evidence.db, or a case id under the default folder). The note is chained into the custody log with your OS user and host.',
  options: {},
  positionals: { min: 2, max: 2 },
  async run(args, { io, json, env }) {
    const [caseArg = '', text = ''] = args.positionals;
    if (text.trim() === '') throw new UsageError('The note is empty.', 'Pass the note text as the second argument, in quotes.');
    if (Buffer.byteLength(text) > MAX_NOTE_BYTES) throw new UsageError(`The note is longer than ${MAX_NOTE_BYTES / 1024} KiB.`, 'Split it into several notes, or store the text as a file in the case.');
    const caseDir = resolveCaseDir(caseArg, defaultCaseParent(env));
    const db = openWritableDb(join(caseDir, CASE_DB_FILE));
    try {
      const row = recordNote(db, caseDir, text);
      if (json) io.out(toSafeJson({ seq: row.seq, hash: row.hash, at: row.at }));
      else io.out(display`Noted as custody row ${row.seq} (${escapeUntrusted(row.hash.slice(0, 16))}…)`);
    } finally {
      db.close();
    }
    return 0;
  },
};

/** `kustody case show`: prints the case's metadata, row counts and custody log. */
export const caseShow: Command = {
  path: ['case', 'show'],
  usage: 'kustody case show CASE [--json]',
  summary: 'print a case: metadata, counts per table, custody log and whether its chain is intact',
  help: 'Reads the case without changing it. The last line says whether the custody chain recomputes (intact), or names the first broken row.',
  options: {},
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const caseDir = resolveCaseDir(args.positionals[0] ?? '', defaultCaseParent(env));
    const db = openReadableDb(join(caseDir, CASE_DB_FILE));
    try {
      const summary = readCaseSummary(db);
      const chain = readChainState(db);
      if (json) io.out(toSafeJson({ path: caseDir, ...summary, chain }));
      else for (const line of [...describeCase(summary, caseDir), describeChain(chain)]) io.out(line);
    } finally {
      db.close();
    }
    return 0;
  },
};

/** Renders a case summary as terminal lines, every stored string escaped. */
export function describeCase(summary: CaseSummary, caseDir: string): DisplayText[] {
  const c = summary.case;
  const e = (text: string) => escapeUntrusted(text, { maxBytes: 2000 });
  const lines: DisplayText[] = [
    display`Case      ${e(c.id)}  ${e(c.title)}`,
    display`Folder    ${e(caseDir)}`,
    display`Opened    ${e(c.created_at)} by ${e(c.os_user)}@${e(c.host)} with ${e(c.tool_name)} ${e(c.tool_version)} (SQLite ${e(c.sqlite_version)}, schema ${summary.schemaVersion})`,
    display`Clock     ${e(c.clock_note)}`,
    trusted('Rows'),
  ];
  for (const [table, count] of Object.entries(summary.counts)) lines.push(display`  ${e(table.padEnd(12))}${count}`);
  lines.push(trusted('Custody log'));
  for (const row of summary.actions) {
    lines.push(display`  ${row.seq}  ${e(row.at)}  ${e(row.kind)}  ${e(row.actor)}  ${e(row.outcome)}  ${e(row.hash.slice(0, 12))}  ${e(detailText(row.detail))}`);
  }
  return lines;
}

/** One line on the custody chain: intact up to its head, or where it first breaks. */
export function describeChain(chain: ChainState): DisplayText {
  if (!chain.intact) return display`Chain     BROKEN at row ${chain.broken.seq}: ${escapeUntrusted(chain.broken.problem)}`;
  return chain.head === null ? trusted('Chain     intact (empty)') : display`Chain     intact, ${chain.rows} rows, head ${chain.head.seq} ${escapeUntrusted(chain.head.hash)}`;
}

function detailText(detail: unknown): string {
  const record = detail as { text?: unknown } | null;
  if (record !== null && typeof record === 'object' && typeof record.text === 'string') return record.text;
  return JSON.stringify(detail);
}
