import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeWrite, isDryRun, isWrite, watchDryRun, writesInScope } from '../helpers/dry-run-oracle.js';
import type { AuditEvent } from '../helpers/audit.js';
import { kubectl, requireLab } from '../helpers/lab.js';

const event = (verb: string, requestURI: string, objectRef: AuditEvent['objectRef'], requestObject?: unknown): AuditEvent => ({
  auditID: 'a', stage: 'ResponseComplete', verb, requestURI, user: { username: 'kustody-responder' }, objectRef, requestObject, responseStatus: { code: 200 },
});

const scope = { namespace: 'pb-dry-x1', mentions: ['case-7', 'pb-dry-x1'] };

test('the dry-run oracle counts a write as dry only with dryRun=All; a DELETE with a body is judged by its DeleteOptions alone', () => {
  const np = { resource: 'networkpolicies', namespace: 'pb-dry-x1', name: 'q' };
  assert.equal(isDryRun(event('create', '/apis/networking.k8s.io/v1/namespaces/pb-dry-x1/networkpolicies?dryRun=All', np)), true);
  assert.equal(isDryRun(event('create', '/apis/networking.k8s.io/v1/namespaces/pb-dry-x1/networkpolicies?fieldManager=kustody', np)), false);
  assert.equal(isDryRun(event('patch', '/api/v1/namespaces/pb-dry-x1/pods/s?dryRun=Al', np)), false);
  // The apiserver ignores the query when a DeleteOptions body is sent: a query-only dryRun is a real delete.
  assert.equal(isDryRun(event('delete', '/api/v1/namespaces/pb-dry-x1/pods/s?dryRun=All', np, { kind: 'DeleteOptions', apiVersion: 'v1' })), false);
  assert.equal(isDryRun(event('delete', '/api/v1/namespaces/pb-dry-x1/pods/s', np, { kind: 'DeleteOptions', dryRun: ['All'] })), true);
  assert.equal(isDryRun(event('delete', '/api/v1/namespaces/pb-dry-x1/pods/s?dryRun=All', np)), true);
});

test('the dry-run oracle ignores reads, reviews and exec, and keeps this test\'s namespace, the node and objects elsewhere that mention its case', () => {
  const events = [
    event('get', '/api/v1/namespaces/pb-dry-x1/pods/s', { resource: 'pods', namespace: 'pb-dry-x1', name: 's' }),
    event('create', '/apis/authentication.k8s.io/v1/tokenreviews', { resource: 'tokenreviews' }),
    event('patch', '/api/v1/namespaces/other-ns/pods/s', { resource: 'pods', namespace: 'other-ns', name: 's' }),
    event('create', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', { resource: 'validatingadmissionpolicies', name: 'kustody-guard-case-9' }),
    event('create', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', { resource: 'validatingadmissionpolicies', name: 'kustody-guard-case-7' }),
    event('patch', '/api/v1/nodes/lab-node', { resource: 'nodes', name: 'lab-node' }),
    event('create', '/api/v1/namespaces/kustody-system/pods', { resource: 'pods', namespace: 'kustody-system', name: 'collector-1' }, { metadata: { labels: { 'kustody.io/case': 'case-7' } } }),
    event('create', '/api/v1/namespaces/kustody-system/pods', { resource: 'pods', namespace: 'kustody-system', name: 'collector-2' }, { metadata: { labels: { 'kustody.io/case': 'case-9' } } }),
    event('create', '/api/v1/namespaces/pb-dry-x1/pods/s/exec?command=sh', { resource: 'pods', subresource: 'exec', namespace: 'pb-dry-x1', name: 's' }),
    event('patch', '/api/v1/namespaces/pb-dry-x1/pods/s/ephemeralcontainers', { resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'pb-dry-x1', name: 's' }),
    event('delete', '/api/v1/namespaces/pb-dry-x1/pods/s', { resource: 'pods', namespace: 'pb-dry-x1', name: 's' }, { kind: 'DeleteOptions', dryRun: ['All'] }),
  ];
  assert.equal(isWrite(events[1]!), false);
  const writes = writesInScope(events, scope);
  assert.deepEqual(writes.real.map(describeWrite), [
    'create validatingadmissionpolicies kustody-guard-case-7 (/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies, HTTP 200)',
    'patch nodes lab-node (/api/v1/nodes/lab-node, HTTP 200)',
    'create pods kustody-system/collector-1 (/api/v1/namespaces/kustody-system/pods, HTTP 200)',
    'patch pods/ephemeralcontainers pb-dry-x1/s (/api/v1/namespaces/pb-dry-x1/pods/s/ephemeralcontainers, HTTP 200)',
  ]);
  assert.equal(writes.dryRun.length, 1);
});

test('against the lab, the oracle passes server-side dry runs and catches a real write by the responder', { timeout: 120_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `oracle-${randomBytes(3).toString('hex')}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(() => kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']));
  const policy = JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'probe', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  const scope = { namespace: ns, mentions: [ns] };

  const dry = await watchDryRun(lab, scope);
  assert.equal((await kubectl(lab, 'responder', ['create', '-f', '-', '--dry-run=server'], { input: policy })).exitCode, 0);
  assert.deepEqual((await dry.verify()).dryRun.map(describeWrite).map((d) => d.split(' (')[0]), [`create networkpolicies ${ns}/probe`]);

  const real = await watchDryRun(lab, scope);
  assert.equal((await kubectl(lab, 'responder', ['create', '-f', '-'], { input: policy })).exitCode, 0);
  await assert.rejects(real.verify(), /a dry run sent a write without dryRun=All[\s\S]*create networkpolicies/);
});
