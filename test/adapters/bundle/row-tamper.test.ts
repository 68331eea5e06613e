import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { verifyBundle, type VerifyReport } from '../../../src/adapters/bundle/verify-bundle.js';
import { exportCase as exportCase_ } from '../../../src/runner/run-export.js';
import { beginCapture, commitCaptureStep, finishCapture } from '../../../src/adapters/store/capture-store.js';
import { createCase } from '../../../src/adapters/store/case-store.js';
import { openWritableDb } from '../../../src/adapters/store/open-store.js';
import { TABLE_COVERAGE } from '../../../src/core/evidence/table-coverage.js';
import { extractWithTar } from '../../helpers/bundle-fixtures.js';
import { judgeAccepts, makeCapturedCase } from '../../helpers/captured-case.js';
import { makeTempDir, runKustody } from '../../helpers/cli.js';

type Table = keyof typeof TABLE_COVERAGE;
const middle = (table: string) => `rowid = (SELECT rowid FROM ${table} ORDER BY rowid LIMIT 1 OFFSET (SELECT count(*) / 2 FROM ${table}))`;

// One update, delete and insert per evidence table, as an attacker with the sqlite3 shell would write them.
const EDITS: Record<Table, { update: string; insert: string }> = {
  actions: { update: 'UPDATE actions SET outcome = \'failed\' WHERE seq = 3', insert: 'INSERT INTO actions SELECT seq + 1000, at, actor, kind, target, detail, outcome, prev_hash, (CASE substr(hash, 1, 1) WHEN \'0\' THEN \'1\' ELSE \'0\' END) || substr(hash, 2) FROM actions WHERE seq = 2' },
  cases: { update: 'UPDATE cases SET title = \'forged\'', insert: 'INSERT INTO cases SELECT id || \'-2\', title, created_at, tool_name, tool_version, sqlite_version, host, os_user, clock_note FROM cases' },
  artifacts: { update: `UPDATE artifacts SET media_type = 'text/forged' WHERE ${middle('artifacts')}`, insert: 'INSERT INTO artifacts (sha256, size, media_type, source, vantage, collected_at, capture_id, truncated, error, action_seq, content) SELECT sha256, size, media_type, \'/proc/1/forged\', vantage, collected_at, capture_id, truncated, error, action_seq, NULL FROM artifacts LIMIT 1' },
  captures: { update: 'UPDATE captures SET status = \'complete\' WHERE capture_id = \'cap-api-rows\'', insert: 'INSERT INTO captures SELECT capture_id || \'-x\', target, vantage, started_at, finished_at, status, detail FROM captures LIMIT 1' },
  processes: { update: `UPDATE processes SET comm = coalesce(comm, '') || '~' WHERE ${middle('processes')}`, insert: 'INSERT INTO processes SELECT * FROM processes LIMIT 1' },
  connections: { update: `UPDATE connections SET remote_port = coalesce(remote_port, 0) + 1 WHERE ${middle('connections')}`, insert: 'INSERT INTO connections SELECT * FROM connections LIMIT 1' },
  mounts: { update: `UPDATE mounts SET fs_type = 'forged' WHERE ${middle('mounts')}`, insert: 'INSERT INTO mounts SELECT * FROM mounts LIMIT 1' },
  credentials: { update: `UPDATE credentials SET fingerprint = 'hmac-sha256:' || hex(randomblob(32)) WHERE ${middle('credentials')}`, insert: 'INSERT INTO credentials SELECT * FROM credentials LIMIT 1' },
  k8s_objects: { update: `UPDATE k8s_objects SET json = '{"kind":"Pod","forged":true}' WHERE ${middle('k8s_objects')}`, insert: 'INSERT INTO k8s_objects SELECT * FROM k8s_objects LIMIT 1' },
  capture_warnings: { update: `UPDATE capture_warnings SET message = 'nothing happened' WHERE ${middle('capture_warnings')}`, insert: 'INSERT INTO capture_warnings SELECT * FROM capture_warnings LIMIT 1' },
  audit_events: { update: `UPDATE audit_events SET verb = 'get' WHERE ${middle('audit_events')}`, insert: 'INSERT INTO audit_events SELECT audit_id, stage, stage_timestamp, request_received_timestamp, level, verb, request_uri, username, groups_json, credential_id, sa_namespace, sa_name, pod_name, pod_uid, node_name, source_ips_json, user_agent, impersonated_user, api_group, resource, subresource, namespace, name, object_uid, response_code, response_message, decision, reason, issued_credential_id, annotations_json, kept_json, format, text_escaped, event_key || \'-x\', source_file, line, action_seq FROM audit_events LIMIT 1' },
};

const editsOf = (table: Table) => [
  { name: `update ${table}`, sql: EDITS[table].update },
  { name: `delete from ${table}`, sql: `DELETE FROM ${table} WHERE ${table === 'actions' ? 'seq = 3' : middle(table)}` },
  { name: `insert into ${table}`, sql: EDITS[table].insert },
];

function sqlite(db: string, sql: string): string {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' });
}

/** True when the report is TAMPERED and a finding names the table (the custody log for actions) and, for capture tables, the capture. */
function namesTable(report: VerifyReport, table: Table): boolean {
  const text = report.findings.map((f) => `${f.code} ${f.message}`).join(' | ');
  if (report.status !== 'tampered') return false;
  if (table === 'actions') return /CHAIN_BROKEN|CHAIN_HEAD_MISMATCH/.test(text);
  const owner = TABLE_COVERAGE[table].owner;
  return report.findings.some((f) => f.message.startsWith(`${table}:`) && (owner !== 'capture_id' && owner !== 'capture_step' ? true : /\(capture cap-|of capture cap-|capture cap-\S+ (is|does)/.test(f.message)));
}

/** Rewrites manifest.json (member hash and size, row counts) and SHA256SUMS for an edited evidence.db, then repacks, as a careful attacker would. */
function reseal(dir: string, out: string): void {
  const db = join(dir, 'evidence.db');
  const bytes = readFileSync(db);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { members: { name: string; size: number; sha256: string }[]; counts: Record<string, number> };
  manifest.members = [{ name: 'evidence.db', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }];
  for (const table of Object.keys(manifest.counts)) manifest.counts[table] = Number(sqlite(db, `SELECT count(*) FROM ${table}`).trim());
  execFileSync('chmod', ['u+w', join(dir, 'manifest.json'), join(dir, 'SHA256SUMS')]);
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
  writeFileSync(join(dir, 'SHA256SUMS'), execFileSync('sha256sum', ['evidence.db', 'manifest.json'], { cwd: dir, encoding: 'utf8' }));
  execFileSync('tar', ['--format=ustar', '-cf', out, 'evidence.db', 'manifest.json', 'SHA256SUMS'], { cwd: dir });
}

/** Exports through the real export step (which refuses a case whose chain is broken). */
async function exportCase(casePath: string, out: string, signKey?: string): Promise<string> {
  const db = openWritableDb(join(casePath, 'evidence.db'));
  try {
    return (await exportCase_(db, out, signKey, 'tester@host')).path;
  } finally {
    db.close();
  }
}

test('every update, delete and insert in every evidence table is TAMPERED naming the table, signed, unsigned and resealed, and the documented Python judge agrees', { timeout: 600_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { casePath } = await makeCapturedCase(dir);
  for (const table of Object.keys(TABLE_COVERAGE)) {
    assert.ok(Number(sqlite(join(casePath, 'evidence.db'), `SELECT count(*) FROM ${table}`)) > 0, `the fixture case has no ${table} rows to edit`);
  }
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, 'key.pem')]);
  execFileSync('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-pubout', '-out', join(dir, 'key.pub')]);

  const good = await exportCase(casePath, join(dir, 'good.tar'));
  const goodDir = join(dir, 'good');
  mkdirSync(goodDir);
  extractWithTar(good, goodDir);
  assert.equal((await verifyBundle(good)).status, 'intact');
  assert.ok(judgeAccepts(goodDir), 'the documented Python snippets reject an untouched bundle');

  const missed: string[] = [];
  let index = 0;
  for (const table of Object.keys(TABLE_COVERAGE) as Table[]) {
    for (const edit of editsOf(table)) {
      index += 1;
      // In the case, then exported signed and unsigned.
      const copy = join(dir, `case-${index}`);
      cpSync(casePath, copy, { recursive: true });
      sqlite(join(copy, 'evidence.db'), edit.sql);
      for (const signed of [false, true]) {
        const out = join(dir, `edit-${index}-${signed ? 'signed' : 'unsigned'}.tar`);
        let report: VerifyReport;
        try {
          await exportCase(copy, out, signed ? join(dir, 'key.pem') : undefined);
          report = await verifyBundle(out, signed ? { pubkeyPath: join(dir, 'key.pub') } : {});
        } catch (error) {
          // An export that refuses the edited case has caught it too, if it says where.
          if (!String(error).includes(table === 'actions' ? 'custody' : table === 'cases' ? 'case records' : table)) missed.push(`${edit.name} (${signed ? 'signed' : 'unsigned'} export): export failed without naming it: ${String(error)}`);
          continue;
        }
        if (!namesTable(report, table)) missed.push(`${edit.name} (${signed ? 'signed' : 'unsigned'} export): ${report.status} ${JSON.stringify(report.findings)}`);
      }
      rmSync(copy, { recursive: true });
      // In a received bundle, with manifest and SHA256SUMS rewritten to match.
      const resealDir = join(dir, `reseal-${index}`);
      cpSync(goodDir, resealDir, { recursive: true });
      execFileSync('chmod', ['u+w', join(resealDir, 'evidence.db')]);
      sqlite(join(resealDir, 'evidence.db'), edit.sql);
      reseal(resealDir, join(dir, `reseal-${index}.tar`));
      const report = await verifyBundle(join(dir, `reseal-${index}.tar`));
      if (!namesTable(report, table)) missed.push(`${edit.name} (resealed): ${report.status} ${JSON.stringify(report.findings)}`);
      if (judgeAccepts(resealDir)) missed.push(`${edit.name} (resealed): the documented Python judge accepted it`);
      rmSync(resealDir, { recursive: true });
    }
  }
  assert.deepEqual(missed, []);
});

test('the issue\'s example: processes and connections edited in a case with sqlite3, exported signed, verify says TAMPERED naming both', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { casePath, captureId } = await makeCapturedCase(dir);
  const db = join(casePath, 'evidence.db');
  assert.equal(sqlite(db, 'SELECT count(*) FROM processes WHERE exe_deleted = 1').trim(), '1');
  assert.ok(Number(sqlite(db, "SELECT count(*) FROM connections WHERE state = 'ESTABLISHED'")) >= 1);
  sqlite(db, "UPDATE processes SET exe='/usr/bin/sleep', exe_deleted=0 WHERE exe_deleted=1; DELETE FROM connections WHERE state='ESTABLISHED'");
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, 'key.pem')]);
  execFileSync('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-pubout', '-out', join(dir, 'key.pub')]);
  const exported = await runKustody(['bundle', 'export', casePath, '-o', join(dir, 'case.tar'), '--sign-key', join(dir, 'key.pem')]);
  assert.equal(exported.exitCode, 0, exported.stderr);
  const verified = await runKustody(['bundle', 'verify', join(dir, 'case.tar'), '--pubkey', join(dir, 'key.pub')]);
  assert.equal(verified.exitCode, 1, verified.stdout);
  assert.match(verified.stdout, /^TAMPERED /);
  assert.match(verified.stdout, new RegExp(`processes: custody row \\d+ \\(capture ${captureId}, step processes\\).*changed`));
  assert.match(verified.stdout, new RegExp(`connections: custody row \\d+ \\(capture ${captureId}, step connections\\).*missing`));
});

test('a stored U+FFFD swapped for an invalid UTF-8 byte (which a lenient decoder reads back the same) is TAMPERED', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = createCase({ parentDir: dir, title: 'replacement character', host: 'host', osUser: 'tester', now: '2026-12-01T00:00:00.000Z', toolName: 'kustody', toolVersion: '0.0.0-test' });
  const stamp = { at: '2026-12-01T00:00:01.000Z', actor: 'tester@host' };
  beginCapture(created.db, { captureId: 'cap-fffd', target: 'pod:shop/web-1', vantage: 'api', detail: {} }, stamp);
  commitCaptureStep(created.db, { captureId: 'cap-fffd', target: 'pod:shop/web-1', step: 'kubernetes-objects', rows: { k8s_objects: [{ kind: 'Pod', namespace: 'shop', name: 'web-\uFFFD', uid: null, resource_version: null, json: '{}' }] }, warnings: [] }, stamp);
  finishCapture(created.db, { captureId: 'cap-fffd', target: 'pod:shop/web-1', status: 'complete', unfinished: [], notes: [] }, stamp);
  created.db.close();
  const good = await exportCase(created.path, join(dir, 'good.tar'));
  const edited = join(dir, 'edited');
  mkdirSync(edited);
  extractWithTar(good, edited);
  execFileSync('chmod', ['u+w', join(edited, 'evidence.db')]);
  sqlite(join(edited, 'evidence.db'), "UPDATE k8s_objects SET name = CAST(X'7765622DFF' AS TEXT)");
  reseal(edited, join(dir, 'edited.tar'));
  const report = await verifyBundle(join(dir, 'edited.tar'));
  assert.equal(report.status, 'tampered');
  assert.ok(report.findings.some((f) => f.code === 'ROWS_NOT_UTF8' && f.message.startsWith('k8s_objects:')), JSON.stringify(report.findings));
  assert.equal(judgeAccepts(edited), false);
});
