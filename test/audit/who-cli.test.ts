// `kustody audit who` end to end on a real case: audit events stored by `audit ingest`, identities from a
// token file (never kept or echoed) or from the case's captured credentials, and plain words when the
// case has no log for the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { beginCapture, commitCaptureStep, finishCapture } from '../../src/adapters/store/capture-store.js';
import { openWritableDb } from '../../src/adapters/store/open-store.js';
import { eventLine } from './audit-fixtures.js';

const JTI = '0291c371-98f1-43f3-aaec-50819ce82de2';
const USER = 'system:serviceaccount:shop:web';
const claims = { iss: 'https://kubernetes.default.svc', sub: USER, aud: ['https://kubernetes.default.svc'], iat: 1796623200, exp: 1796626800, jti: JTI, 'kubernetes.io': { namespace: 'shop', pod: { name: 'suspect', uid: 'p-1' }, serviceaccount: { name: 'web', uid: 's-1' } } };
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const TOKEN = `${b64({ alg: 'RS256', kid: 'k' })}.${b64(claims)}.c2lnbmF0dXJlLWNhbmFyeS1kby1ub3QtcHJpbnQ`;
const as = (credential: string, over: Record<string, unknown>) => ({ user: { username: USER, extra: { 'authentication.kubernetes.io/credential-id': [credential], 'authentication.kubernetes.io/pod-name': ['suspect'] } }, ...over });
const at = (s: number) => new Date((claims.iat + s) * 1000).toISOString().replace('Z', '123Z');

function auditLog(dir: string): string {
  const lines = [
    eventLine('mint', { verb: 'create', requestURI: '/api/v1/namespaces/shop/serviceaccounts/web/token', user: { username: 'system:node:lab-node' }, objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace: 'shop', name: 'web' }, requestObject: { kind: 'TokenRequest', spec: { boundObjectRef: { kind: 'Pod', name: 'suspect' } }, status: { token: 'minted-token-canary' } }, annotations: { 'authentication.kubernetes.io/issued-credential-id': `JTI=${JTI}` }, stageTimestamp: at(0) }),
    eventLine('workload', { ...as('JTI=older-token', {}), sourceIPs: ['10.244.0.7'], userAgent: 'shop-web/1.0', verb: 'get', objectRef: { resource: 'configmaps', namespace: 'shop', name: 'cfg' }, stageTimestamp: at(5) }),
    eventLine('secrets', { ...as(`JTI=${JTI}`, {}), sourceIPs: ['203.0.113.9'], userAgent: 'kubectl/v1.35.4\u001b[31m', stageTimestamp: at(60) }),
    eventLine('exec', { ...as(`JTI=${JTI}`, {}), sourceIPs: ['203.0.113.9'], verb: 'create', requestURI: '/api/v1/namespaces/shop/pods/web-1/exec?command=sh', objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1' }, stageTimestamp: at(70) }),
    eventLine('binding', { ...as(`JTI=${JTI}`, {}), sourceIPs: ['203.0.113.9'], verb: 'create', objectRef: { resource: 'rolebindings', apiGroup: 'rbac.authorization.k8s.io', namespace: 'shop', name: 'persist\u202e' }, responseStatus: { code: 201 }, stageTimestamp: at(80) }),
    eventLine('probe', { ...as(`JTI=${JTI}`, {}), sourceIPs: ['203.0.113.9'], objectRef: { resource: 'secrets', namespace: 'kube-system' }, responseStatus: { code: 403 }, annotations: { 'authorization.k8s.io/decision': 'forbid' }, stageTimestamp: at(90) }),
  ];
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${lines.join('\n')}\n`);
  return log;
}

type WhoJson = { identities: Array<{ match: string; requests: number; groups: Record<string, Array<{ auditId: string; object: string }>>; sourceIps: Array<{ value: string; newForWorkload: boolean }>; mintedBy: Array<{ auditId: string; match: string; bound: string }>; gaps: string[] }> };

test('audit who --token-file finds the token\'s requests by exact credential id, groups them, names the TokenRequest that minted it, and never prints or stores the token', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const ingested = await runKustody(['audit', 'ingest', '--case', casePath, '--log', auditLog(dir), '--json']);
  assert.equal(ingested.exitCode, 0, ingested.stderr);
  const tokenFile = join(dir, 'leaked.jwt');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const run = await runKustody(['audit', 'who', casePath, '--token-file', tokenFile, '--json']);
  assert.equal(run.exitCode, 0, run.stderr);
  const [who] = (JSON.parse(run.stdout) as WhoJson).identities;
  assert.ok(who);
  assert.equal(who.match, 'credential-id');
  assert.equal(who.requests, 4, 'the workload\'s request with another credential was counted');
  assert.deepEqual(Object.fromEntries(Object.entries(who.groups).map(([k, v]) => [k, v.map((r) => r.auditId)])), { secrets: ['secrets', 'probe'], exec: ['exec'], changes: [], rbac: ['binding'], minting: [], other: [], denied: ['probe'] });
  assert.deepEqual(who.mintedBy.map((m) => [m.auditId, m.match, m.bound]), [['mint', 'issued-credential-id', 'Pod suspect']]);
  assert.deepEqual(who.sourceIps, [{ value: '203.0.113.9', requests: 4, newForWorkload: true }]);
  const text = await runKustody(['audit', 'who', casePath, '--token-file', tokenFile]);
  assert.equal(text.exitCode, 0, text.stderr);
  assert.doesNotMatch(text.stdout, /[\u001b\u202e]/);
  assert.match(text.stdout, /RBAC changes \(1\)/);
  const later = await runKustody(['audit', 'who', casePath, '--token-file', tokenFile, '--since', at(85), '--json']);
  const after = (JSON.parse(later.stdout) as WhoJson).identities[0];
  assert.deepEqual(after?.groups.denied?.map((r) => r.auditId), ['probe'], '--since did not bound the requests');
  const none = await runKustody(['audit', 'who', casePath, '--token-file', tokenFile, '--since', at(600)]);
  assert.match(none.stdout, new RegExp(`holds no request by this token between ${new Date(Date.parse(at(600))).toISOString().replace(/\./g, '\\.')} and`));
  for (const out of [run.stdout, run.stderr, text.stdout, text.stderr, readFileSync(join(casePath, 'evidence.db')).toString('latin1')]) {
    assert.equal(out.includes(TOKEN.split('.')[2] ?? '?'), false, 'the token was printed or stored');
    assert.equal(out.includes('minted-token-canary'), false, 'the minted token from the TokenRequest body was kept');
  }
});

test('audit who with no selector reports every token the case captured; a case without an audit log says nothing can be said, not that nothing happened', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const { path: casePath } = await newCase(dir);
  const db = openWritableDb(join(casePath, 'evidence.db'));
  const stamp = { at: '2026-12-07T06:00:00.000Z', actor: 'tester@host' };
  beginCapture(db, { captureId: 'cap-1', target: 'pod:shop/suspect', vantage: 'api', detail: {} }, stamp);
  const credential = { kind: 'serviceaccount-token', location: 'file:/var/run/secrets/kubernetes.io/serviceaccount/token', subject: USER, fingerprint: 'hmac-sha256:00', expires_at: null, claims_json: JSON.stringify({ jwt: claims }), pid: null };
  commitCaptureStep(db, { captureId: 'cap-1', target: 'pod:shop/suspect', step: 'credentials', rows: { credentials: [credential, { ...credential, location: 'file:/tmp/.t' }] }, warnings: [] }, stamp);
  finishCapture(db, { captureId: 'cap-1', target: 'pod:shop/suspect', status: 'complete', unfinished: [], notes: [] }, stamp);
  db.close();
  const bare = await runKustody(['audit', 'who', casePath, '--json']);
  assert.equal(bare.exitCode, 0, bare.stderr);
  const none = JSON.parse(bare.stdout) as WhoJson;
  assert.equal(none.identities.length, 1, 'the same token captured twice is one identity');
  assert.match(none.identities[0]?.gaps.join(' ') ?? '', /no audit log has been ingested/);
  assert.equal((await runKustody(['audit', 'ingest', '--case', casePath, '--log', auditLog(dir)])).exitCode, 0);
  const run = await runKustody(['audit', 'who', casePath]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stdout, /4 requests matched by exact credential/);
  assert.match(run.stdout, /minted .* by system:node:lab-node for Pod suspect \(its TokenRequest carries this id/);
  assert.match(run.stdout, /203\.0\.113\.9 {2}4 {2}NEW: never seen for the workload/);
});
