// Findings from the audit log on a real case: a captured token's capture stored through the store API, an
// audit log stored by the real `kustody audit ingest`, the findings read by the real reader (report and
// review). Each finding cites the audit rows it rests on; hostile user agents and names stay escaped.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { openReadableDb } from '../../src/adapters/store/open-store.js';
import { readCaseFacts } from '../../src/adapters/findings/read-case-facts.js';
import { AUDIT_REQUESTS_LIMITED } from '../../src/adapters/findings/read-audit-facts.js';
import { deriveFindings } from '../../src/core/findings/index.js';
import { openCaseForReview } from '../../src/adapters/ui-data/open-review.js';
import { reviewContent } from '../../src/commands/review-command.js';
import { ReviewApp } from '../../src/ui/ReviewApp.js';
import { RAW_CONTROL } from '../ui/evidence-fixture.js';
import { renderUi, unmountAll } from '../ui/render-helpers.js';
import { eventLine, sql, storeCapturedToken } from './audit-fixtures.js';

afterEach(() => unmountAll());

const JTI = '0291c371-98f1-43f3-aaec-50819ce82de2';
const USER = 'system:serviceaccount:shop:web';
const claims = { iss: 'https://kubernetes.default.svc', sub: USER, aud: ['https://kubernetes.default.svc'], iat: 1796623200, exp: 1796626800, jti: JTI, 'kubernetes.io': { namespace: 'shop', pod: { name: 'suspect', uid: 'p-1' }, serviceaccount: { name: 'web', uid: 's-1' } } };
const HOSTILE_AGENT = 'kubectl/v1.35\u001b]0;pwned\u0007\u202eevil';
const HOSTILE_NAME = 'persist\u202e\u001b[31m';
const as = (username: string, credential: string, over: Record<string, unknown>) => ({ user: { username, extra: { 'authentication.kubernetes.io/credential-id': [credential] } }, sourceIPs: ['203.0.113.9'], userAgent: HOSTILE_AGENT, ...over });
const captured = (over: Record<string, unknown>) => as(USER, `JTI=${JTI}`, over);
const at = (s: number) => ({ stageTimestamp: new Date((claims.iat + s) * 1000).toISOString() });
const ok = (code: number) => ({ responseStatus: { metadata: {}, code } });

const LINES = [
  eventLine('workload', { ...as(USER, 'JTI=older-token', { sourceIPs: ['10.244.0.7'], userAgent: 'shop-web/1.0' }), verb: 'get', objectRef: { resource: 'configmaps', namespace: 'shop', name: 'cfg' }, ...at(5) }),
  eventLine('own-read', { ...captured({ sourceIPs: ['10.244.0.7'], userAgent: 'shop-web/1.0' }), verb: 'get', objectRef: { resource: 'secrets', namespace: 'shop', name: 'db' }, ...at(10) }),
  eventLine('list', { ...captured({}), ...at(60) }),
  eventLine('exec', { ...captured({}), stage: 'RequestReceived', verb: 'create', objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1' }, responseStatus: undefined, ...at(69) }),
  eventLine('exec', { ...captured({}), verb: 'create', objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1' }, ...ok(101), ...at(70) }),
  eventLine('binding', { ...captured({}), verb: 'create', objectRef: { resource: 'rolebindings', apiGroup: 'rbac.authorization.k8s.io', namespace: 'shop', name: HOSTILE_NAME }, ...ok(201), ...at(80) }),
  eventLine('probe', { ...captured({}), objectRef: { resource: 'secrets', namespace: 'kube-system' }, ...ok(403), annotations: { 'authorization.k8s.io/decision': 'forbid' }, ...at(90) }),
  eventLine('mint', { ...captured({}), verb: 'create', objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace: 'shop', name: 'admin-sa' }, ...ok(201), annotations: { 'authentication.kubernetes.io/issued-credential-id': 'JTI=minted-1' }, ...at(100) }),
  eventLine('minted-use', { ...as('system:serviceaccount:shop:admin-sa', 'JTI=minted-1', {}), verb: 'get', objectRef: { resource: 'secrets', namespace: 'kube-system', name: 'root-ca' }, ...at(110) }),
  eventLine('sa-create', { ...captured({}), verb: 'create', objectRef: { resource: 'serviceaccounts', namespace: 'shop', name: 'backdoor' }, ...ok(201), ...at(120) }),
  eventLine('backdoor-use', { ...as('system:serviceaccount:shop:backdoor', 'JTI=bd-1', {}), verb: 'create', objectRef: { resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io', name: 'own' }, ...ok(201), ...at(130) }),
  eventLine('unrelated', { user: { username: 'alice' }, sourceIPs: ['192.0.2.1'], ...at(140) }),
];

async function auditCase(dir: string): Promise<string> {
  const { path: casePath } = await newCase(dir);
  await storeCapturedToken(casePath, 'pod:shop/suspect', claims);
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${LINES.join('\n')}\n`);
  const ingested = await runKustody(['audit', 'ingest', '--case', casePath, '--log', log, '--json']);
  assert.equal(ingested.exitCode, 0, ingested.stderr);
  return casePath;
}

type ReportFinding = { id: string; rule: string; severity: string; title: string; detail: string; evidence: { table: string; rowid: number }[]; mappings: { id: string }[] };

test('a captured token\'s audit trail becomes findings: new origin, RBAC change, Secrets read, exec, minting and probing, plus what the token it minted and the ServiceAccount it created did, each citing its audit rows', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = await auditCase(dir);
  const rowOf = (auditId: string) => Number(sql(casePath, `SELECT rowid FROM audit_events WHERE audit_id = '${auditId}' AND stage = 'ResponseComplete'`)[0]);
  const out = join(dir, 'report.json');
  const run = await runKustody(['report', casePath, '--format', 'json', '-o', out]);
  assert.equal(run.exitCode, 0, run.stderr);
  const findings = (JSON.parse(readFileSync(out, 'utf8')) as { findings: ReportFinding[] }).findings.filter((f) => f.rule.startsWith('audit-'));
  const byId = (id: string) => findings.find((f) => f.id === id) ?? assert.fail(`no finding ${id} in ${findings.map((f) => f.id).join(', ')}`);
  const rows = (f: ReportFinding) => f.evidence.map((e) => { assert.equal(e.table, 'audit_events'); return e.rowid; });
  const cred = `JTI=${JTI}`;
  assert.deepEqual(findings.map((f) => `${f.severity} ${f.id}`).sort(), [
    'critical audit-rbac-change:JTI=0291c371-98f1-43f3-aaec-50819ce82de2',
    'critical audit-rbac-change:system:serviceaccount:shop:backdoor',
    'high audit-exec:JTI=0291c371-98f1-43f3-aaec-50819ce82de2',
    'high audit-new-origin:JTI=0291c371-98f1-43f3-aaec-50819ce82de2',
    'high audit-secrets-read:JTI=0291c371-98f1-43f3-aaec-50819ce82de2',
    'high audit-secrets-read:JTI=minted-1',
    'high audit-token-minted:JTI=0291c371-98f1-43f3-aaec-50819ce82de2',
    'medium audit-denied:JTI=0291c371-98f1-43f3-aaec-50819ce82de2',
  ]);
  // Every request from the attacker's address, not the workload's own read from its pod; the workload's other token is the baseline.
  assert.deepEqual(rows(byId(`audit-new-origin:${cred}`)), ['list', 'exec', 'binding', 'probe', 'mint', 'sa-create'].map(rowOf));
  assert.match(byId(`audit-new-origin:${cred}`).detail, /from 203\.0\.113\.9 ×6/);
  assert.deepEqual(rows(byId(`audit-secrets-read:${cred}`)), ['own-read', 'list'].map(rowOf));
  assert.deepEqual(rows(byId(`audit-exec:${cred}`)), [rowOf('exec')], 'the exec\'s RequestReceived stage was cited as a second request');
  assert.deepEqual(rows(byId(`audit-rbac-change:${cred}`)), [rowOf('binding')]);
  assert.deepEqual(rows(byId(`audit-token-minted:${cred}`)), [rowOf('mint')]);
  assert.deepEqual(rows(byId(`audit-denied:${cred}`)), [rowOf('probe')]);
  assert.deepEqual(rows(byId('audit-secrets-read:JTI=minted-1')), [rowOf('mint'), rowOf('minted-use')], 'the minted token\'s finding does not cite the TokenRequest that made it');
  assert.deepEqual(rows(byId('audit-rbac-change:system:serviceaccount:shop:backdoor')), [rowOf('sa-create'), rowOf('backdoor-use')]);
  assert.match(byId('audit-secrets-read:JTI=minted-1').title, /^system:serviceaccount:shop:admin-sa \(token the attacker minted JTI=minted-1\)/);
  assert.ok(!findings.some((f) => f.detail.includes('alice')), 'another user\'s request was attributed to the case');
  const ids = (f: ReportFinding) => f.mappings.map((m) => m.id);
  assert.deepEqual(ids(byId(`audit-secrets-read:${cred}`)), ['MS-TA9025', 'T1552.007']);
  assert.deepEqual(ids(byId(`audit-denied:${cred}`)), ['MS-TA9029', 'T1613']);
  assert.ok(ids(byId(`audit-new-origin:${cred}`)).includes('T1528'));

  // The hostile user agent and binding name never reach a report or the review screen raw.
  for (const format of ['md', 'html'] as const) {
    const file = join(dir, `report.${format}`);
    const rendered = await runKustody(['report', casePath, '--format', format, '-o', file]);
    assert.equal(rendered.exitCode, 0, rendered.stderr);
    const body = readFileSync(file, 'utf8');
    assert.match(body, /changed RBAC/);
    assert.doesNotMatch(body, /[\u001b\u0007\u202e]/, `the ${format} report carries a raw control or bidi character`);
  }
  const ui = renderUi(<ReviewApp content={reviewContent(openCaseForReview(casePath, dir))} size={{ columns: 140, rows: 40 }} />);
  const frame = await ui.waitFor((f) => f.includes('changed RBAC'), 'the audit findings on the Findings tab');
  assert.match(frame, /persist\\u\{202e\}\\x1b\[31m/);
  assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL);
});

test('the findings read only the case identities\' requests, not the whole audit log, and a cut of those is said as case-facts:limited', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = await auditCase(dir);
  const db = openReadableDb(join(casePath, 'evidence.db'));
  t.after(() => db.close());
  const whole = readCaseFacts(db, '2026-12-07T07:00:00.000Z', { findingsOnly: true, maxRowsPerTable: 100_000 });
  assert.equal(whole.extra.audit_events?.length, 10, 'the reader did not read exactly the identities\' rows (every stage)');
  assert.ok(!whole.extra.audit_events?.some((r) => r.username === 'alice'));
  assert.ok(!(whole.limited ?? []).some((l) => l.table === AUDIT_REQUESTS_LIMITED));
  const cut = readCaseFacts(db, '2026-12-07T07:00:00.000Z', { findingsOnly: true, maxRowsPerTable: 4 });
  assert.equal(cut.extra.audit_events?.length, 4);
  assert.deepEqual((cut.limited ?? []).find((l) => l.table === AUDIT_REQUESTS_LIMITED), { table: AUDIT_REQUESTS_LIMITED, read: 4 });
  const limited = deriveFindings(cut).find((f) => f.id === 'case-facts:limited');
  assert.match(limited?.detail ?? '', /the first 4 rows of audit_events \(requests by the case's identities\)/);
});
