// Ingested audit events on the case timeline and in the report: the requests an investigator asks about,
// not the control plane's routine traffic; hostile user agents escaped; capped with the cut said plainly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { eventLine, storeCapturedToken } from '../audit/audit-fixtures.js';
import { MAX_AUDIT_TIMELINE_EVENTS } from '../../src/core/timeline/audit-source.js';

type Event = { datetime: string; timestampDesc: string; message: string; source: { table: string; rowid: number } };

const at = (second: number) => ({ requestReceivedTimestamp: `2026-12-07T06:00:${String(second).padStart(2, '0')}.000000Z`, stageTimestamp: `2026-12-07T06:00:${String(second).padStart(2, '0')}.500000Z` });
const attacker = { username: 'system:serviceaccount:shop:web', groups: ['system:authenticated'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=aaaa'] } };

async function ingest(casePath: string, dir: string, lines: string[]): Promise<void> {
  const file = join(dir, 'audit.log');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const run = await runKustody(['audit', 'ingest', '--case', casePath, '--log', file, '--json']);
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
}

async function auditTimeline(casePath: string): Promise<Event[]> {
  const run = await runKustody(['timeline', casePath, '--format', 'jsonl']);
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  return run.stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Event).filter((e) => e.source.table === 'audit_events');
}

test('audit events of interest join the timeline at their stage time (writes, exec, token minting, Secret reads, denials); leases, node and controller traffic and plain reads stay off', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  await ingest(created.path, dir, [
    eventLine('secrets', { ...at(1), userAgent: 'evil\u001b]0;pwned\u0007agent\u202e' }),
    eventLine('cron', { ...at(2), verb: 'create', user: attacker, requestURI: '/apis/batch/v1/namespaces/shop/cronjobs', objectRef: { resource: 'cronjobs', namespace: 'shop', name: 'beacon', apiGroup: 'batch', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 201 } }),
    eventLine('exec', { ...at(3), verb: 'create', user: attacker, objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 101 } }),
    eventLine('mint', { ...at(4), verb: 'create', user: attacker, objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace: 'shop', name: 'admin-sa', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 201 } }),
    eventLine('denied', { ...at(5), verb: 'list', user: attacker, objectRef: { resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 403 } }),
    eventLine('lease', { ...at(6), verb: 'update', user: { username: 'system:kube-controller-manager' }, objectRef: { resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager', apiGroup: 'coordination.k8s.io', apiVersion: 'v1' } }),
    eventLine('node', { ...at(7), verb: 'patch', user: { username: 'system:node:lab-node' }, objectRef: { resource: 'pods', subresource: 'status', namespace: 'shop', name: 'web-1', apiVersion: 'v1' } }),
    eventLine('controller', { ...at(8), verb: 'update', user: { username: 'system:serviceaccount:kube-system:replicaset-controller' }, objectRef: { resource: 'replicasets', namespace: 'shop', name: 'web-1', apiGroup: 'apps', apiVersion: 'v1' } }),
    eventLine('read', { ...at(9), verb: 'get', user: attacker, objectRef: { resource: 'pods', namespace: 'shop', name: 'web-1', apiVersion: 'v1' } }),
    eventLine('cron-started', { ...at(2), stage: 'RequestReceived', verb: 'create', user: attacker, objectRef: { resource: 'cronjobs', namespace: 'shop', name: 'beacon', apiGroup: 'batch', apiVersion: 'v1' } }),
  ]);
  const events = await auditTimeline(created.path);
  assert.deepEqual(events.map((e) => [e.datetime, e.message.split(' → ')[0]]), [
    ['2026-12-07T06:00:01.500Z', 'audit: system:serviceaccount:shop:web [JTI=11111111-2222-3333-4444-555555555555] list secrets in shop'],
    ['2026-12-07T06:00:02.500Z', 'audit: system:serviceaccount:shop:web [JTI=aaaa] create cronjobs shop/beacon'],
    ['2026-12-07T06:00:03.500Z', 'audit: system:serviceaccount:shop:web [JTI=aaaa] create pods/exec shop/web-1'],
    ['2026-12-07T06:00:04.500Z', 'audit: system:serviceaccount:shop:web [JTI=aaaa] create serviceaccounts/token shop/admin-sa'],
    ['2026-12-07T06:00:05.500Z', 'audit: system:serviceaccount:shop:web [JTI=aaaa] list clusterroles'],
  ]);
  assert.match(events[1]!.message, /→ 201 from \["10\.0\.0\.9"\] \(curl\/8\.1\)$/);
  assert.ok(events.every((e) => e.timestampDesc === 'API request completed (audit log)'));
  // The ESC, BEL and bidi override of the user agent never reach the output raw.
  const raw = (await runKustody(['timeline', created.path, '--format', 'csv'])).stdout;
  assert.doesNotMatch(raw, /[\u001b\u0007\u202e]/);
  assert.match(raw, /evil.*pwned.*agent/);

  const report = await runKustody(['report', created.path, '--format', 'md', '-o', join(dir, 'report.md')]);
  assert.equal(report.exitCode, 0, report.stdout + report.stderr);
  const markdown = (await import('node:fs')).readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(markdown, /create cronjobs shop\/beacon/, 'the report\'s timeline lacks the audit events');
  assert.match(markdown, /kustody audit who reads every event/, 'the report does not say which audit events the timeline leaves out');
  assert.doesNotMatch(markdown, /update leases/);
});

test(`more than ${MAX_AUDIT_TIMELINE_EVENTS} audit events of interest: the first ${MAX_AUDIT_TIMELINE_EVENTS} ingested are on the timeline and the cut is said as a gap`, { timeout: 180_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const lines: string[] = [];
  for (let i = 0; i < MAX_AUDIT_TIMELINE_EVENTS + 2; i += 1) lines.push(JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: `e${i}`, stage: 'ResponseComplete', verb: 'delete', user: { username: 'mallory' }, objectRef: { resource: 'configmaps', namespace: 'shop', name: `c${i}` }, responseStatus: { code: 200 }, stageTimestamp: '2026-12-07T06:00:00.000000Z' }));
  await ingest(created.path, dir, lines);
  const events = await auditTimeline(created.path);
  assert.equal(events.length, MAX_AUDIT_TIMELINE_EVENTS);
  const report = await runKustody(['report', created.path, '--format', 'json', '-o', join(dir, 'report.json')]);
  assert.equal(report.exitCode, 0, report.stdout + report.stderr);
  assert.match((await import('node:fs')).readFileSync(join(dir, 'report.json'), 'utf8'), new RegExp(`More than ${MAX_AUDIT_TIMELINE_EVENTS} audit events of interest`));
});

test('a stolen kube-system token is no routine traffic: its writes and Secret reads, and those of the token it minted for a controller and of the ServiceAccount it created, join the timeline and audit who, while the controller\'s own writes stay off', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const proxy = 'system:serviceaccount:kube-system:kube-proxy';
  const controller = 'system:serviceaccount:kube-system:replicaset-controller';
  await storeCapturedToken(created.path, 'pod:kube-system/kube-proxy-x1', { sub: proxy, jti: 'stolen-1', iat: 1796623200, exp: 1796626800, 'kubernetes.io': { namespace: 'kube-system', pod: { name: 'kube-proxy-x1', uid: 'p' }, serviceaccount: { name: 'kube-proxy', uid: 's' } } });
  const who = (username: string, jti: string) => ({ username, groups: ['system:serviceaccounts'], extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`] } });
  const write = (resource: string, namespace: string | undefined, name: string, apiGroup?: string) => ({ verb: 'create', objectRef: { resource, namespace, name, apiGroup, apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 201 } });
  await ingest(created.path, dir, [
    eventLine('stolen-binding', { ...at(1), user: who(proxy, 'stolen-1'), ...write('clusterrolebindings', undefined, 'pwn', 'rbac.authorization.k8s.io') }),
    eventLine('stolen-read', { ...at(2), user: who(proxy, 'stolen-1'), verb: 'get', objectRef: { resource: 'secrets', namespace: 'kube-system', name: 'bootstrap' } }),
    eventLine('mint', { ...at(3), user: who(proxy, 'stolen-1'), ...write('serviceaccounts', 'kube-system', 'replicaset-controller'), objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace: 'kube-system', name: 'replicaset-controller', apiVersion: 'v1' }, annotations: { 'authentication.kubernetes.io/issued-credential-id': 'JTI=minted-2' } }),
    eventLine('minted-write', { ...at(4), user: who(controller, 'minted-2'), ...write('daemonsets', 'kube-system', 'miner', 'apps') }),
    eventLine('controller-own', { ...at(5), user: who(controller, 'kcm-own'), verb: 'update', objectRef: { resource: 'replicasets', namespace: 'shop', name: 'web-1', apiGroup: 'apps', apiVersion: 'v1' } }),
    eventLine('sa-create', { ...at(6), user: who(proxy, 'stolen-1'), ...write('serviceaccounts', 'kube-system', 'kube-dns-x') }),
    eventLine('created-write', { ...at(7), user: who('system:serviceaccount:kube-system:kube-dns-x', 'x-1'), ...write('cronjobs', 'kube-system', 'beacon', 'batch') }),
    eventLine('other-proxy', { ...at(8), user: who(proxy, 'proxy-own'), verb: 'update', objectRef: { resource: 'endpointslices', namespace: 'shop', name: 'web', apiGroup: 'discovery.k8s.io', apiVersion: 'v1' } }),
  ]);
  const events = await auditTimeline(created.path);
  assert.deepEqual(events.map((e) => e.message.split(' → ')[0]), [
    'audit: system:serviceaccount:kube-system:kube-proxy [JTI=stolen-1] create clusterrolebindings pwn',
    'audit: system:serviceaccount:kube-system:kube-proxy [JTI=stolen-1] get secrets kube-system/bootstrap',
    'audit: system:serviceaccount:kube-system:kube-proxy [JTI=stolen-1] create serviceaccounts/token kube-system/replicaset-controller',
    'audit: system:serviceaccount:kube-system:replicaset-controller [JTI=minted-2] create daemonsets kube-system/miner',
    'audit: system:serviceaccount:kube-system:kube-proxy [JTI=stolen-1] create serviceaccounts kube-system/kube-dns-x',
    'audit: system:serviceaccount:kube-system:kube-dns-x [JTI=x-1] create cronjobs kube-system/beacon',
  ], 'the timeline left out what the case\'s identities did, or let the controllers\' own traffic in');

  const pivot = await runKustody(['audit', 'who', created.path, '--json']);
  assert.equal(pivot.exitCode, 0, pivot.stderr);
  const identities = (JSON.parse(pivot.stdout) as { identities: Array<{ identity: { label: string; jti: string | null; username: string | null }; groups: Record<string, Array<{ auditId: string }>> }> }).identities;
  assert.deepEqual(identities.map((i) => [i.identity.jti, i.identity.username, Object.values(i.groups).flat().map((r) => r.auditId).sort()]), [
    ['stolen-1', proxy, ['mint', 'sa-create', 'stolen-binding', 'stolen-read']],
    ['minted-2', controller, ['minted-write']],
    [null, 'system:serviceaccount:kube-system:kube-dns-x', ['created-write']],
  ]);
  assert.match(identities[1]!.identity.label, /the attacker minted \(audit_events row \d+/);
});
