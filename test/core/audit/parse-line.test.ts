import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuditLine } from '../../../src/core/audit/parse-line.js';
import type { AuditRow } from '../../../src/core/audit/audit-row.js';

const fingerprint = (value: string) => `hmac-sha256:${Buffer.from(value).toString('hex').slice(0, 8)}`;
const JTI = 'JTI=6f1c2d3e-aaaa-bbbb-cccc-0123456789ab';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWNhbmFyeS12YWx1ZQ';

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a-1', stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/shop/secrets', verb: 'list',
    user: { username: 'system:serviceaccount:shop:web', groups: ['system:serviceaccounts', 'system:authenticated'], extra: { 'authentication.kubernetes.io/credential-id': [JTI], 'authentication.kubernetes.io/pod-name': ['web-1'], 'authentication.kubernetes.io/pod-uid': ['p-uid'], 'authentication.kubernetes.io/node-name': ['lab-node'] } },
    sourceIPs: ['10.0.0.9'], userAgent: 'curl/8.1', objectRef: { resource: 'secrets', namespace: 'shop', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 }, requestReceivedTimestamp: '2026-12-07T06:00:00.123456Z', stageTimestamp: '2026-12-07T06:00:00.223456Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed' },
    ...overrides,
  };
}

function rows(line: string | Buffer): AuditRow[] {
  const parsed = parseAuditLine(typeof line === 'string' ? Buffer.from(line) : line, fingerprint);
  assert.ok(parsed.ok, `the line was skipped: ${parsed.ok ? '' : parsed.reason}`);
  return parsed.rows;
}

test('a kube-apiserver event becomes one row with the credential id, the SA and pod binding, times in UTC milliseconds', () => {
  const [row] = rows(JSON.stringify(event()));
  assert.equal(row?.credential_id, JTI);
  assert.deepEqual([row?.sa_namespace, row?.sa_name, row?.pod_name, row?.pod_uid, row?.node_name], ['shop', 'web', 'web-1', 'p-uid', 'lab-node']);
  assert.equal(row?.stage_timestamp, '2026-12-07T06:00:00.223Z');
  assert.equal(row?.request_received_timestamp, '2026-12-07T06:00:00.123Z');
  assert.deepEqual(JSON.parse(row?.source_ips_json ?? ''), ['10.0.0.9']);
  assert.deepEqual([row?.verb, row?.resource, row?.namespace, row?.response_code, row?.decision, row?.event_key], ['list', 'secrets', 'shop', 200, 'allow', 'a-1/ResponseComplete']);
  assert.equal(row?.format, 'kubernetes');
});

test('missing and mistyped fields are NULL, never fatal, and the event is still kept', () => {
  const [row] = rows(JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 7, stage: 'ResponseComplete', user: 'nobody', objectRef: [1], responseStatus: { code: '200' }, stageTimestamp: 'yesterday' }));
  assert.equal(row?.audit_id, null);
  assert.equal(row?.username, null);
  assert.equal(row?.response_code, null);
  assert.equal(row?.stage_timestamp, null);
  assert.match(row?.event_key ?? '', /^sha256:[0-9a-f]{64}$/);
});

test('lines that are not audit events, not JSON, or cut short are skipped with a reason', () => {
  const reason = (line: string) => { const p = parseAuditLine(Buffer.from(line), fingerprint); return p.ok ? 'kept' : p.reason; };
  assert.equal(reason('{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x"'), 'not-json');
  assert.equal(reason(JSON.stringify(event()).slice(0, 200)), 'not-json');
  // Two writers interleaved on one line.
  const full = JSON.stringify(event());
  assert.equal(reason(full.slice(0, 100) + full), 'not-json');
  assert.equal(reason('{"level":"info","msg":"hello"}'), 'not-audit-event');
  assert.equal(reason('[1,2,3]'), 'not-audit-event');
  assert.equal(reason('   '), 'blank');
  assert.equal(reason('['.repeat(100_000)), 'not-json');
});

test('invalid UTF-8 bytes are stored as \\xNN and the row marked; a lone surrogate escape likewise; valid text is untouched', () => {
  const [head, tail] = JSON.stringify(event({ userAgent: 'agent-MARK' })).split('MARK');
  const fixed = Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('é'), Buffer.from(tail ?? '')]);
  const [row] = rows(fixed);
  assert.equal(row?.user_agent, 'agent-\\xff\\xc3(é');
  assert.equal(row?.text_escaped, 1);
  const [lone] = rows(JSON.stringify(event({ userAgent: 'x' })).replace('"userAgent":"x"', '"userAgent":"a\\ud800b"'));
  assert.equal(lone?.user_agent, 'a\\u{d800}b');
  assert.equal(lone?.text_escaped, 1);
  assert.equal(rows(JSON.stringify(event({ userAgent: 'kubectl/v1.35 ✓ 日本' })))[0]?.text_escaped, 0);
});

test('ESC and bidi overrides in user agents and names are stored as logged (escaping is the screen\'s job)', () => {
  const [row] = rows(JSON.stringify(event({ userAgent: '\u001b[2J\u202ekubectl', objectRef: { resource: 'pods', name: 'x\u001b]0;pwned\u0007', namespace: 'shop' } })));
  assert.equal(row?.user_agent, '\u001b[2J\u202ekubectl');
  assert.equal(row?.name, 'x\u001b]0;pwned\u0007');
});

test('exec commands and secret-looking query values are redacted by fingerprint; other URIs are kept exactly', () => {
  const uri = `/api/v1/namespaces/shop/pods/web-1/exec?command=sh&command=-c&command=${encodeURIComponent(`curl -H "Authorization: Bearer ${TOKEN}" http://x`)}&container=app&stdout=true`;
  const [row] = rows(JSON.stringify(event({ requestURI: uri, verb: 'create', objectRef: { resource: 'pods', subresource: 'exec', name: 'web-1', namespace: 'shop' } })));
  assert.ok(!row?.request_uri?.includes(TOKEN), row?.request_uri ?? '');
  assert.match(row?.request_uri ?? '', /redacted%20hmac-sha256/);
  assert.match(row?.request_uri ?? '', /command=sh&command=-c&command=/);
  const plain = '/api/v1/namespaces/shop/pods?limit=500&labelSelector=app%3Dweb';
  assert.equal(rows(JSON.stringify(event({ requestURI: plain })))[0]?.request_uri, plain);
  const withToken = rows(JSON.stringify(event({ requestURI: `/api/v1/pods?access_token=${TOKEN}` })))[0]?.request_uri ?? '';
  assert.ok(!withToken.includes(TOKEN));
});

test('bodies: RBAC subjects and roleRef, TokenRequest spec and the issued credential id are kept; the token and Secret data never', () => {
  const binding = rows(JSON.stringify(event({
    level: 'RequestResponse', verb: 'create', objectRef: { apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'shop', name: 'backdoor' },
    requestObject: { kind: 'RoleBinding', metadata: { name: 'backdoor', annotations: { note: 'canary-annotation' } }, subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }], roleRef: { kind: 'ClusterRole', name: 'admin', apiGroup: 'rbac.authorization.k8s.io' } },
  })))[0];
  assert.deepEqual(JSON.parse(binding?.kept_json ?? ''), { subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }], roleRef: { kind: 'ClusterRole', name: 'admin' } });
  const minted = rows(JSON.stringify(event({
    level: 'RequestResponse', verb: 'create', objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace: 'shop', name: 'web' },
    requestObject: { kind: 'TokenRequest', spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', name: 'web-1', uid: 'p-uid' } } },
    responseObject: { kind: 'TokenRequest', status: { token: TOKEN, expirationTimestamp: '2026-12-07T07:00:00Z' } },
    annotations: { 'authentication.kubernetes.io/issued-credential-id': JTI },
  })))[0];
  assert.equal(minted?.issued_credential_id, JTI);
  assert.deepEqual(JSON.parse(minted?.kept_json ?? ''), { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', name: 'web-1', uid: 'p-uid' } });
  const secret = rows(JSON.stringify(event({ level: 'RequestResponse', verb: 'get', objectRef: { resource: 'secrets', namespace: 'shop', name: 'db' }, responseObject: { kind: 'Secret', data: { password: 'aHVudGVyMi1jYW5hcnk=' } } })))[0];
  assert.equal(secret?.kept_json, null);
  const pod = rows(JSON.stringify(event({ level: 'Request', verb: 'create', objectRef: { apiGroup: 'batch', resource: 'cronjobs', namespace: 'shop', name: 'cj' }, requestObject: { kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { hostPID: true, containers: [{ name: 'c', image: 'evil:1', env: [{ name: 'PASSWORD', value: 'hunter2-canary' }], command: ['sh', '-c', 'secret-canary-cmd'], securityContext: { privileged: true } }], volumes: [{ name: 'h', hostPath: { path: '/' } }] } } } } } } })))[0];
  assert.deepEqual(JSON.parse(pod?.kept_json ?? ''), { schedule: '* * * * *', serviceAccountName: null, hostPID: true, hostNetwork: false, hostIPC: false, containers: [{ name: 'c', image: 'evil:1', privileged: true }], hostPaths: ['/'] });
  for (const row of [binding, minted, secret, pod]) {
    const all = JSON.stringify(row);
    for (const canary of [TOKEN, 'aHVudGVyMi1jYW5hcnk=', 'hunter2-canary', 'secret-canary-cmd', 'canary-annotation']) assert.ok(!all.includes(canary), `${canary} reached a row`);
  }
});

test('EKS CloudWatch, its S3 export and Firehose records, AKS diagnostics and Event Hub batches unwrap to the same event', () => {
  const inner = JSON.stringify(event());
  const shapes: [string, string][] = [
    [JSON.stringify({ logStreamName: 'kube-apiserver-audit-1', timestamp: 1, message: inner, ingestionTime: 2, eventId: '9' }), 'eks-cloudwatch'],
    [`2026-12-07T06:00:00.223Z ${inner}`, 'eks-cloudwatch'],
    [JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', timestamp: 1, message: inner }, { id: '2', timestamp: 1, message: JSON.stringify(event({ auditID: 'a-2' })) }] }), 'eks-cloudwatch'],
    [JSON.stringify({ time: '2026-12-07T06:00:00Z', category: 'kube-audit', properties: { log: inner, stream: 'stdout', pod: 'kube-apiserver-1' } }), 'aks-diagnostics'],
    [JSON.stringify({ records: [{ category: 'kube-audit', properties: { log: inner } }] }), 'aks-diagnostics'],
  ];
  for (const [line, format] of shapes) {
    const found = rows(line);
    assert.equal(found[0]?.format, format, line.slice(0, 40));
    assert.equal(found[0]?.credential_id, JTI);
    assert.equal(found[0]?.event_key, 'a-1/ResponseComplete');
  }
  assert.equal(rows(shapes[2]?.[0] ?? '').length, 2);
});

test('a GKE Cloud Logging entry maps to verb, object, user, caller IP and agent, with no credential id', () => {
  const entry = {
    insertId: 'ins-1', logName: 'projects/p/logs/cloudaudit.googleapis.com%2Fdata_access', timestamp: '2026-12-07T06:00:01.5Z',
    operation: { id: 'op-audit-1', producer: 'k8s.io', first: true, last: true }, resource: { type: 'k8s_cluster' },
    labels: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', methodName: 'io.k8s.core.v1.pods.exec.create', resourceName: 'core/v1/namespaces/shop/pods/web-1/exec',
      authenticationInfo: { principalEmail: 'system:serviceaccount:shop:web' }, requestMetadata: { callerIp: '203.0.113.7', callerSuppliedUserAgent: 'kubectl/v1.30' },
      status: { code: 7, message: 'forbidden' }, serviceName: 'k8s.io',
    },
  };
  const [row] = rows(JSON.stringify(entry));
  assert.deepEqual(
    [row?.format, row?.audit_id, row?.verb, row?.resource, row?.subresource, row?.namespace, row?.name, row?.username, row?.sa_name, row?.response_code, row?.decision, row?.user_agent, row?.credential_id, row?.stage_timestamp],
    ['gke-cloud-logging', 'op-audit-1', 'create', 'pods', 'exec', 'shop', 'web-1', 'system:serviceaccount:shop:web', 'web', 403, 'forbid', 'kubectl/v1.30', null, '2026-12-07T06:00:01.500Z'],
  );
  assert.deepEqual(JSON.parse(row?.source_ips_json ?? ''), ['203.0.113.7']);
});
