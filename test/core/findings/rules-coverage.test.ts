import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveFindings, emptyFacts, type ActionFact, type CaseFacts, type FactRow } from '../../../src/core/findings/index.js';

const NOW = '2026-12-07T06:00:00.000Z';
let seq = 0;
const act = (kind: string, target: string, outcome: string, detail: ActionFact['detail']): ActionFact => ({ seq: ++seq, at: NOW, actor: 'r@h', kind, target, outcome, detail });
const row = (rowid: number, values: Record<string, string | number | null>): FactRow => ({ rowid, ...values });
const facts = (over: Partial<CaseFacts>): CaseFacts => ({ ...emptyFacts('c', NOW), captures: [row(1, { capture_id: 'k', target: 'pod:a/b', status: 'complete' })], actions: [act('observe', 'pod:a/b', 'complete', { step: 'capture-end', capture_id: 'k' })], ...over });
const rules = (over: Partial<CaseFacts>) => deriveFindings(facts(over)).map((f) => `${f.rule}:${f.severity}`);

test('CAP_SYS_ADMIN is high, the full set is called privileged, and a plain process with no extra capability gives nothing', () => {
  const found = deriveFindings(facts({ processes: [
    row(1, { target: 'pod:a/b', pid: 1, comm: 'sh', cap_eff: '0000000000200000', seccomp: 2 }),
    row(2, { target: 'pod:a/b', pid: 2, comm: 'x', cap_eff: '000001ffffffffff', seccomp: 2 }),
    row(3, { target: 'pod:a/b', pid: 3, comm: 'web', cap_eff: '00000000a80425fb', seccomp: 2 }),
    row(4, { target: 'pod:a/b', pid: 4, comm: 'bad', cap_eff: 'zz', seccomp: 2 }),
  ] }));
  assert.deepEqual(found.map((f) => [f.severity, f.evidence.map((e) => e.rowid)]), [['high', [1]], ['high', [2]]]);
  assert.match(found[1]!.title, /privileged/);
});

test('seccomp off is reported per target; filter mode is not', () => {
  assert.deepEqual(rules({ processes: [row(1, { target: 't', pid: 1, seccomp: 0, cap_eff: '0' }), row(2, { target: 't', pid: 2, seccomp: 2, cap_eff: '0' })] }), ['no-seccomp:low']);
});

test('a runtime socket mount is critical, a read-only hostPath medium, the kubelet\'s /etc/hosts and termination log nothing (a hostPath of another source at /etc/hosts stays), each mapped to its Threat Matrix technique', () => {
  const found = deriveFindings(facts({ mounts: [
    row(1, { target: 't', mount_point: '/run/containerd/containerd.sock', flagged: 'runtime-socket', options: 'rw' }),
    row(2, { target: 't', mount_point: '/host', flagged: 'host-path', options: 'ro,relatime' }),
    row(3, { target: 't', mount_point: '/proc', flagged: null, options: 'rw' }),
    row(4, { target: 't', mount_point: '/etc/hosts', flagged: 'host-path', options: 'rw', root: '/var/lib/kubelet/pods/d5c2e274-fb05-4c87-bbc3-eb84786d2058/etc-hosts' }),
    row(5, { target: 't', mount_point: '/dev/termination-log', flagged: 'host-path', options: 'rw', root: '/var/lib/kubelet/pods/d5c2e274-fb05-4c87-bbc3-eb84786d2058/containers/suspect/ceb15948' }),
    row(6, { target: 't', mount_point: '/etc/resolv.conf', flagged: 'host-path', options: 'rw', root: `/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/${'7'.repeat(64)}/resolv.conf` }),
  ] }));
  assert.deepEqual(found.map((f) => f.severity), ['critical', 'medium']);
  // The attacker's hostPath of the node's /etc mounted where the kubelet's hosts file would be is not the kubelet's.
  const planted = deriveFindings(facts({ mounts: [row(1, { target: 't', mount_point: '/etc/hosts', flagged: 'host-path', options: 'rw', root: '/etc' })] }));
  assert.deepEqual(planted.map((f) => `${f.severity} ${f.title}`), ['high host-path mounted at /etc/hosts in t']);
  assert.ok(found.every((f) => f.mappings.some((m) => m.id === 'MS-TA9013')));
});

test('a credential is live until it expires; an expired one is left out; a revoked one is info; no expiry maps to NHI7 Long-Lived Secrets', () => {
  const creds = [
    row(1, { target: 't', kind: 'projected-token', location: 'file:/var/run/secrets/token', fingerprint: 'hmac-sha256:aa', expires_at: '2026-12-07T07:00:00.000Z', subject: 'system:serviceaccount:a:b' }),
    row(2, { target: 't', kind: 'serviceaccount-token', location: 'file:/x', fingerprint: 'hmac-sha256:bb', expires_at: '2026-12-07T05:00:00.000Z' }),
    row(3, { target: 't', kind: 'serviceaccount-token', location: 'file:/legacy', fingerprint: 'hmac-sha256:cc', expires_at: null }),
    row(4, { target: 't', kind: 'secret-env', location: 'env:DB_PASSWORD', fingerprint: 'hmac-sha256:dd', expires_at: null }),
  ];
  const verify = act('revoke', 'pod:a/b', 'revoked', { step: 'verify-tokens', checks: [{ fingerprint: 'hmac-sha256:cc', outcome: 'revoked', rejectedAt: NOW }] });
  const found = deriveFindings(facts({ credentials: creds, actions: [verify] })).filter((f) => f.rule === 'live-credential');
  assert.deepEqual(found.map((f) => [f.id, f.severity]), [['live-credential:hmac-sha256:aa', 'high'], ['live-credential:hmac-sha256:dd', 'medium'], ['live-credential:hmac-sha256:cc', 'info']]);
  assert.match(found[0]!.detail, /valid until 2026-12-07T07:00:00.000Z \(1 h after this report\)/);
  assert.ok(found[1]!.mappings.some((m) => m.id === 'NHI7'));
  assert.deepEqual(found[2]!.evidence.at(-1), { table: 'actions', rowid: verify.seq });
});

test('dangerous RBAC comes from the latest identities row; a later verified denial lowers it to low', () => {
  const inventory = (dangers: string[]) => ({ step: 'identities', serviceAccount: { user: 'system:serviceaccount:a:b' }, rbac: { effectiveRules: [{ grantedBy: ['RoleBinding a/x'], dangers: dangers.map((kind) => ({ kind, label: kind })) }] } });
  const a1 = act('observe', 'pod:a/b', 'ok', inventory(['read-secrets', 'bind']));
  const found = deriveFindings(facts({ actions: [a1] })).filter((f) => f.rule === 'dangerous-rbac');
  assert.deepEqual(found.map((f) => [f.severity, f.mappings.map((m) => m.id).includes('NHI5')]), [['critical', true], ['high', true]]);
  const denied = act('revoke', 'pod:a/b', 'denied', { step: 'verify-rbac', access: {} });
  assert.deepEqual(deriveFindings(facts({ actions: [a1, denied] })).filter((f) => f.rule === 'dangerous-rbac').map((f) => f.severity), ['low', 'low']);
});

test('a failed capture is high, a capture with no end row is reported as never finished, warnings are grouped by code, and a case with no capture says so', () => {
  const found = deriveFindings({ ...emptyFacts('c', NOW), captures: [row(1, { capture_id: 'k1', target: 't', status: 'failed', started_at: NOW }), row(2, { capture_id: 'k2', target: 't', status: 'running', started_at: NOW })],
    actions: [act('observe', 't', 'failed', { step: 'capture-end', capture_id: 'k1', status: 'failed', unfinished_steps: ['processes'], notes: [] })],
    warnings: [row(1, { capture_id: 'k1', code: 'GONE', step: 'processes', message: 'exited', target: 't' }), row(2, { capture_id: 'k1', code: 'GONE', step: 'processes', message: 'exited', target: 't' })] });
  assert.deepEqual(found.map((f) => f.severity), ['high', 'medium', 'low']);
  assert.match(found[1]!.title, /never finished/);
  assert.equal(found[2]!.evidence.length, 2);
  assert.deepEqual(deriveFindings(emptyFacts('c', NOW)).map((f) => f.id), ['capture-gap:no-capture']);
});

test('failed and unverified changes, a change left at intent, and a token still accepted after revoke are findings; an applied change is not', () => {
  const base = { plan: 'isolate', change_id: 'c1', title: 'NetworkPolicy deny-all' };
  const found = deriveFindings(facts({ actions: [
    act('contain', 'NetworkPolicy a/x', 'intent', base), act('contain', 'NetworkPolicy a/x', 'applied', base),
    act('contain', 'Pod a/b', 'intent', { ...base, change_id: 'c2' }), act('contain', 'Pod a/b', 'failed', { ...base, change_id: 'c2', error: 'forbidden' }),
    act('revoke', 'RoleBinding a/r', 'intent', { plan: 'revoke', change_id: 'c3', title: 'delete binding' }),
    act('revoke', 'pod:a/b', 'still-valid', { step: 'verify-tokens', checks: [] }),
  ] })).filter((f) => f.rule === 'change-not-verified');
  assert.deepEqual(found.map((f) => f.severity), ['high', 'high', 'medium']);
  assert.match(found[0]!.detail, /forbidden/);
  assert.match(found[2]!.title, /delete binding/);
});

test('playbook steps of the latest real run that are not done are open items; a dry run is ignored', () => {
  const planned = (run: string, dry: boolean) => act('playbook', 'pod:a/b', 'planned', { run_id: run, step_id: null, state: 'planned', playbook: 'pb', dry_run: dry, steps: ['capture', 'isolate', 'revoke'] });
  const step = (run: string, id: string, state: string) => act('playbook', 'pod:a/b', state, { run_id: run, step_id: id, state });
  const found = deriveFindings(facts({ actions: [planned('r1', false), step('r1', 'capture', 'done'), step('r1', 'isolate', 'failed'), planned('r2', true)] })).filter((f) => f.rule === 'open-checklist-item');
  assert.deepEqual(found.map((f) => f.title), ['Playbook pb step isolate is open (failed)', 'Playbook pb step revoke is open (not reached)']);
});
