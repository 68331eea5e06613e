/**
 * A case holding a real capture: `kustody capture local` of a live process (a copy of python3 whose
 * file was deleted, holding an established TCP connection, with a secret-looking variable in its
 * environment), plus a capture stored through the store API with Kubernetes objects and warnings,
 * so every evidence table has rows. Also the outside judges: the Python snippets of
 * docs/evidence-schema.md, run exactly as printed there.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beginCapture, commitCaptureStep, finishCapture } from '../../src/adapters/store/capture-store.js';
import { recordAction } from '../../src/adapters/store/case-store.js';
import { openWritableDb } from '../../src/adapters/store/open-store.js';
import { commitAuditBatch } from '../../src/adapters/store/audit-store.js';
import { emptyAuditRow } from '../../src/core/audit/audit-row.js';
import { REPO_ROOT, newCase, runKustody } from './cli.js';

const HOLDER = `
import socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
print("ready", flush=True)
sys.stdin.read()
`;

/** Creates the case under `dir` and returns its folder and the id of the local capture. */
export async function makeCapturedCase(dir: string): Promise<{ casePath: string; captureId: string }> {
  const binDir = join(dir, 'bin');
  mkdirSync(binDir);
  const copy = join(binDir, 'py');
  copyFileSync('/usr/bin/python3', copy);
  const child = spawn(copy, ['-c', HOLDER], { env: { DB_PASSWORD: 'hunter2-canary-rows', PATH: '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.once('data', () => resolve());
    });
    rmSync(copy);
    const created = await newCase(dir, 'row tamper');
    const run = await runKustody(['capture', 'local', '--pid', String(child.pid), '--case', created.path, '--json']);
    if (run.exitCode !== 0) throw new Error(`capture local failed: ${run.stderr}`);
    const { captureId } = JSON.parse(run.stdout) as { captureId: string };
    addApiCapture(created.path);
    return { casePath: created.path, captureId };
  } finally {
    child.stdin.end();
    child.kill('SIGKILL');
  }
}

/** Stores a second capture through the store API: Kubernetes objects and warnings, as capture pod does. */
function addApiCapture(casePath: string): void {
  const db = openWritableDb(join(casePath, 'evidence.db'));
  try {
    const stamp = (s: number) => ({ at: `2026-12-01T00:00:0${s}.000Z`, actor: 'tester@host' });
    const capture = { captureId: 'cap-api-rows', target: 'pod:shop/web-1', vantage: 'api', detail: { requested: 'api' } };
    beginCapture(db, capture, stamp(1));
    const objects = [
      { kind: 'Pod', namespace: 'shop', name: 'web-1', uid: 'u-1', resource_version: '42', json: '{"kind":"Pod"}' },
      { kind: 'ServiceAccount', namespace: 'shop', name: 'web', uid: 'u-2', resource_version: '7', json: '{"kind":"ServiceAccount"}' },
    ];
    const warnings = [{ pid: null, code: 'LOGS_CUT', message: 'the log was cut at 1 MiB' }, { pid: 7, code: 'GONE', message: 'process 7 exited' }];
    commitCaptureStep(db, { captureId: capture.captureId, target: capture.target, step: 'kubernetes-objects', rows: { k8s_objects: objects }, warnings }, stamp(2));
    finishCapture(db, { captureId: capture.captureId, target: capture.target, status: 'partial', unfinished: [], notes: ['test'] }, stamp(3));
    recordAction(db, { ...stamp(4), kind: 'note', target: 'case', detail: { text: 'after the captures' }, outcome: 'ok' });
    addAuditEvents(db, stamp(5));
  } finally {
    db.close();
  }
}

/** Stores audit events as `audit ingest` does: two stages of one request and a denied one. */
function addAuditEvents(db: ReturnType<typeof openWritableDb>, stamp: { at: string; actor: string }): void {
  const base = { ...emptyAuditRow(), username: 'system:serviceaccount:shop:web', verb: 'list', resource: 'secrets', namespace: 'shop', credential_id: 'JTI=1b2c', source_file: '/logs/audit.log', format: 'kubernetes' as const };
  const rows = [
    { ...base, audit_id: 'a-1', stage: 'ResponseStarted', stage_timestamp: '2026-12-01T00:00:05.000Z', event_key: 'a-1/ResponseStarted', line: 1 },
    { ...base, audit_id: 'a-1', stage: 'ResponseComplete', stage_timestamp: '2026-12-01T00:00:05.100Z', response_code: 200, event_key: 'a-1/ResponseComplete', line: 2 },
    { ...base, audit_id: 'a-2', stage: 'ResponseComplete', stage_timestamp: '2026-12-01T00:00:06.000Z', verb: 'create', resource: 'rolebindings', response_code: 403, decision: 'forbid', event_key: 'a-2/ResponseComplete', line: 3 },
  ];
  commitAuditBatch(db, { target: 'audit-log:/logs/audit.log', detail: { step: 'audit-ingest', source_file: '/logs/audit.log', line_from: 1, line_to: 3 }, rows }, stamp);
}

/** The two Python snippets of docs/evidence-schema.md (the chain, then the row digests), exactly as printed. */
export function documentedJudges(): { chain: string; rows: string } {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'evidence-schema.md'), 'utf8');
  const blocks = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const rows = /<!-- row-digest-snippet:start -->\s*```python\n([\s\S]*?)```\s*<!-- row-digest-snippet:end -->/.exec(doc)?.[1];
  const chain = blocks.find((b) => b.includes('kustody-row-v1'));
  if (rows === undefined || chain === undefined) throw new Error('docs/evidence-schema.md lost its Python snippets');
  return { chain, rows };
}

/** Runs both documented snippets in `dir` (which holds evidence.db); true when both accept it. */
export function judgeAccepts(dir: string): boolean {
  const { chain, rows } = documentedJudges();
  try {
    execFileSync('python3', ['-c', chain], { cwd: dir, stdio: 'pipe' });
    return execFileSync('python3', ['-c', rows], { cwd: dir, encoding: 'utf8', stdio: 'pipe' }).trim() === 'rows ok';
  } catch {
    return false;
  }
}
