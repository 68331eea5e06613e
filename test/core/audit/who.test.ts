import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWhoReport, type WhoIdentity, type WhoInput, type WhoRow } from '../../../src/core/audit/who.js';
import { whoReportLines } from '../../../src/core/audit/who-text.js';
import { toSafeJson } from '../../../src/core/display/index.js';

const JTI = '6f1c2d3e-aaaa-bbbb-cccc-0123456789ab';
const USER = 'system:serviceaccount:shop:web';
const ESC_UA = 'kubectl\u001b]52;c;aGk=\u0007/evil\u202etxt.exe';
const HOSTILE_NAME = 'persist\u001b[2J\u2066x';
let nextRow = 1;

function row(over: Partial<WhoRow>): WhoRow {
  const rowid = nextRow++;
  return {
    rowid, audit_id: `a-${rowid}`, stage: 'ResponseComplete', stage_timestamp: '2026-12-07T06:00:10.000Z', verb: 'get', request_uri: '/api', username: USER,
    credential_id: `JTI=${JTI}`, source_ips_json: '["203.0.113.9"]', user_agent: ESC_UA, api_group: null, resource: null, subresource: null,
    namespace: null, name: null, response_code: 200, decision: 'allow', issued_credential_id: null, kept_json: null, source_file: '/logs/audit.log', line: rowid, ...over,
  };
}

const identity: WhoIdentity = { label: 'token', jti: JTI, username: USER, pod: { namespace: 'shop', name: 'suspect' }, ip: null, issuedAt: '2026-12-07T06:00:00.000Z', expiresAt: '2026-12-07T07:00:00.000Z' };

function input(over: Partial<WhoInput>): WhoInput {
  return { identity, match: 'credential-id', rows: [], baseline: [], workloadAddresses: [], minted: [], mintCandidates: [], coverage: { first: '2026-12-07T05:00:00.000Z', last: '2026-12-07T08:00:00.000Z', files: 1 }, now: '2026-12-07T09:00:00.000Z', ...over };
}

const attack = () => [
  row({ audit_id: 'list-secrets', stage: 'RequestReceived', verb: 'list', resource: 'secrets', namespace: 'shop', stage_timestamp: '2026-12-07T06:00:01.000Z' }),
  row({ audit_id: 'list-secrets', verb: 'list', resource: 'secrets', namespace: 'shop', stage_timestamp: '2026-12-07T06:00:01.100Z' }),
  row({ audit_id: 'exec', verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1' }),
  row({ audit_id: 'cron', verb: 'create', api_group: 'batch', resource: 'cronjobs', namespace: 'shop', name: 'beacon', response_code: 201 }),
  row({ audit_id: 'binding', verb: 'create', api_group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'shop', name: HOSTILE_NAME, response_code: 201 }),
  row({ audit_id: 'mint', verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'shop', name: 'web', response_code: 201 }),
  row({ audit_id: 'probe', verb: 'list', resource: 'secrets', namespace: 'kube-system', response_code: 403, decision: 'forbid' }),
  row({ audit_id: 'review', verb: 'create', api_group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews', response_code: 201 }),
  row({ audit_id: 'discovery', verb: 'get', request_uri: '/apis' }),
];

const ids = (items: { auditId: string | null }[]) => items.map((i) => i.auditId);

test('each request lands in exactly one group (stages of one request counted once), denied ones also under denied, reviews and discovery under other', () => {
  const report = buildWhoReport(input({ rows: attack() }));
  assert.equal(report.requests, 8);
  assert.deepEqual(ids(report.groups.secrets), ['list-secrets', 'probe']);
  assert.deepEqual(ids(report.groups.exec), ['exec']);
  assert.deepEqual(ids(report.groups.changes), ['cron']);
  assert.deepEqual(ids(report.groups.rbac), ['binding']);
  assert.deepEqual(ids(report.groups.minting), ['mint']);
  assert.deepEqual(ids(report.groups.denied), ['probe']);
  assert.deepEqual(ids(report.groups.other), ['review', 'discovery']);
  assert.equal(report.firstUse, '2026-12-07T06:00:01.100Z');
  assert.equal(report.groups.rbac[0]?.object, `rolebindings.rbac.authorization.k8s.io shop/${HOSTILE_NAME}`);
});

test('addresses and user agents the workload never used are marked new; the pod IP and the workload\'s own agent are not', () => {
  const rows = [row({ source_ips_json: '["10.244.0.7"]', user_agent: 'app/1.0' }), row({})];
  const baseline = [row({ credential_id: 'JTI=older', user_agent: 'app/1.0', source_ips_json: '["10.244.0.6"]' })];
  const report = buildWhoReport(input({ rows, baseline, workloadAddresses: ['10.244.0.7'] }));
  assert.deepEqual(report.sourceIps.map((s) => [s.value, s.newForWorkload]), [['10.244.0.7', false], ['203.0.113.9', true]]);
  assert.deepEqual(report.userAgents.map((s) => [s.value, s.newForWorkload]).sort(), [['app/1.0', false], [ESC_UA, true]]);
  assert.deepEqual(report.baseline, { requests: 1, addresses: ['10.244.0.7', '10.244.0.6'] });
});

test('with nothing of the workload to compare with, no address or agent is called new', () => {
  const report = buildWhoReport(input({ rows: [row({})] }));
  assert.equal(report.sourceIps[0]?.newForWorkload, false);
  assert.equal(report.userAgents[0]?.newForWorkload, false);
  assert.match(whoReportLines(report).join('\n'), /no request or address of the legitimate workload to compare with/);
});

test('the minting TokenRequest is the one annotated with the token id; without one, a TokenRequest for the same ServiceAccount within 5 s of iat is named as likely, one bound to another pod or 10 s away is not', () => {
  const tokenRequest = (over: Partial<WhoRow>) => row({ username: 'system:node:lab-node', credential_id: 'X509SHA256=ab', verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'shop', name: 'web', response_code: 201, kept_json: '{"boundObjectRef":{"kind":"Pod","name":"suspect","uid":"u"}}', ...over });
  const exact = tokenRequest({ audit_id: 'exact', issued_credential_id: `JTI=${JTI}`, stage_timestamp: '2026-12-07T05:59:59.990Z' });
  const withId = buildWhoReport(input({ minted: [exact], mintCandidates: [] }));
  assert.deepEqual(withId.mintedBy.map((m) => [m.auditId, m.match, m.username, m.bound]), [['exact', 'issued-credential-id', 'system:node:lab-node', 'Pod suspect']]);
  const near = tokenRequest({ audit_id: 'near', stage_timestamp: '2026-12-07T06:00:01.000Z' });
  const otherPod = tokenRequest({ audit_id: 'other-pod', stage_timestamp: '2026-12-07T06:00:00.500Z', kept_json: '{"boundObjectRef":{"kind":"Pod","name":"web-1"}}' });
  const late = tokenRequest({ audit_id: 'late', stage_timestamp: '2026-12-07T06:00:10.000Z' });
  const guessed = buildWhoReport(input({ mintCandidates: [near, otherPod, late] }));
  assert.deepEqual(guessed.mintedBy.map((m) => [m.auditId, m.match]), [['near', 'service-account-and-time']]);
  assert.match(whoReportLines(guessed).join('\n'), /likely, not certain/);
  assert.match(whoReportLines(buildWhoReport(input({}))).join('\n'), /holds no TokenRequest for this token/);
});

test('no events is never presented as innocence: no log ingested, no request in the log, and a log that starts after the token was issued or ends before it expired are each said plainly', () => {
  const none = buildWhoReport(input({ coverage: { first: null, last: null, files: 0 } }));
  assert.match(none.gaps.join(' '), /no audit log has been ingested/);
  const empty = buildWhoReport(input({}));
  assert.equal(empty.requests, 0);
  assert.match(empty.gaps.join(' '), /holds no request by this token between 2026-12-07T05:00:00.000Z and 2026-12-07T08:00:00.000Z .*not innocence/);
  const late = buildWhoReport(input({ rows: [row({})], coverage: { first: '2026-12-07T06:30:00.000Z', last: '2026-12-07T06:40:00.000Z', files: 2 } }));
  assert.deepEqual(late.gaps, [
    "the audit log does not include this token's first 30 min (issued 2026-12-07T06:00:00.000Z, the log starts 2026-12-07T06:30:00.000Z): what it did then is unknown.",
    'the audit log does not include anything after 2026-12-07T06:40:00.000Z; this token was valid until 2026-12-07T07:00:00.000Z: ingest a newer log to see 20 min more.',
  ]);
  assert.deepEqual(buildWhoReport(input({ rows: [row({})] })).gaps, []);
});

test('user agents and object names with ESC, BEL and bidi controls reach neither the terminal text nor the JSON raw', () => {
  const report = buildWhoReport(input({ rows: attack() }));
  const text = whoReportLines(report).join('\n');
  const json = toSafeJson({ identities: [report] });
  for (const out of [text, json]) assert.doesNotMatch(out, /[\u0007\u001b\u202e\u2066]/);
  assert.match(text, /RBAC changes \(1\)/);
  const parsed = JSON.parse(json) as { identities: [{ groups: { rbac: [{ object: string; userAgent: string }] } }] };
  assert.equal(parsed.identities[0].groups.rbac[0].userAgent, ESC_UA, 'the JSON must still carry the exact value');
});
