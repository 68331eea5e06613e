// `kustody audit who` on the lab: a suspect pod's token is stolen and used with kubectl from outside the pod
// (another address and user agent) to list Secrets, exec into a pod, plant a RoleBinding and a CronJob and
// probe kube-system; the pod is captured, the lab's audit log ingested, and `audit who` must report exactly
// the requests made with that token, judged by jq over the same log files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { stealSuspectToken } from '../helpers/stolen-token.js';

type Request = { auditId: string; object: string; verb: string; sourceIp: string };
type WhoJson = { identities: Array<{ identity: { jti: string | null }; match: string; groups: Record<string, Request[]>; sourceIps: Array<{ value: string; newForWorkload: boolean }>; mintedBy: Array<{ auditId: string; match: string; username: string; bound: string }>; baseline: { addresses: string[] } }> };

const FLUSH_TIMEOUT_MS = 30_000;

/** The audit log and the files the apiserver rotated it into since `since` (ms), oldest first. */
function logFiles(lab: LabEnv, since: number): string[] {
  const folder = dirname(lab.auditLog);
  const rotated = readdirSync(folder).filter((f) => /^audit-.*\.log$/.test(f)).map((f) => join(folder, f)).filter((f) => statSync(f).mtimeMs >= since);
  return [...rotated.sort(), lab.auditLog];
}

/** Waits (bounded) until the log holds the completed marker request: every request sent before it is then in the log too. */
async function waitForMarker(lab: LabEnv, since: number, marker: string): Promise<string[]> {
  const deadline = Date.now() + FLUSH_TIMEOUT_MS;
  for (;;) {
    const files = logFiles(lab, since);
    const found = await execa('grep', ['-l', '-F', `"name":"${marker}"`, ...files], { reject: false });
    if (found.exitCode === 0 && (await jqLines(files, `select(.objectRef.name == "${marker}" and .stage == "ResponseComplete") | .auditID`)).length > 0) return files;
    if (Date.now() > deadline) throw new Error(`the audit log did not record the marker request ${marker} within ${FLUSH_TIMEOUT_MS / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function jqLines(files: string[], filter: string): Promise<string[]> {
  const run = await execa('jq', ['-r', filter, ...files], { reject: false, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.exitCode, 0, run.stderr);
  return [...new Set(run.stdout.split('\n').filter((l) => l !== ''))].sort();
}

test('audit who reports exactly the requests a stolen pod token made (secrets listed, exec, RoleBinding, CronJob, denied probe), the kubelet TokenRequest that minted it and the new source address, as jq over the same log finds them', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const started = Date.now() - 1000;
  const ns = `awho-${randomBytes(3).toString('hex')}`;
  t.after(async () => void (await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false'])));
  await applyScenario('shop', ns);
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  // The over-privileged web identity may also administer its namespace (exec, RoleBindings, CronJobs); the attacker
  // reads the token the suspect copied to /tmp/.t and uses it with kubectl from the host.
  const { token, jti, kubectl: attacker } = await stealSuspectToken(lab, dir, ns, '/tmp/.t');
  assert.equal((await attacker(['get', 'secrets'])).exitCode, 0);
  const exec = await attacker(['exec', 'suspect', '--', 'id']);
  assert.equal(exec.exitCode, 0, exec.stderr);
  assert.equal((await attacker(['create', 'rolebinding', 'persist', '--clusterrole=edit', `--serviceaccount=${ns}:default`])).exitCode, 0);
  assert.equal((await attacker(['create', 'cronjob', 'beacon', '--image=lab.local/busybox:1.35', '--schedule=0 0 1 1 *', '--', 'true'])).exitCode, 0);
  assert.notEqual((await attacker(['get', 'secrets', '-n', 'kube-system'])).exitCode, 0, 'the probe of kube-system was allowed');
  const marker = `who-marker-${randomBytes(4).toString('hex')}`;
  await attacker(['get', 'configmap', marker, '--ignore-not-found']);

  const created = await newCase(dir);
  const capture = await runKustody(['capture', 'pod', `${ns}/suspect`, '--case', created.path], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(capture.exitCode, 0, capture.stdout + capture.stderr);
  const files = await waitForMarker(lab, started, marker);
  const ingested = await runKustody(['audit', 'ingest', '--case', created.path, '--log', ...files, '--json']);
  assert.equal(ingested.exitCode, 0, ingested.stderr);
  const run = await runKustody(['audit', 'who', created.path, '--json']);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.equal(run.stdout.includes(token.split('.')[2] ?? '?'), false, 'the token was printed');
  const who = (JSON.parse(run.stdout) as WhoJson).identities.find((i) => i.identity.jti === jti);
  assert.ok(who, `the captured token ${jti} is not among the identities`);
  assert.equal(who.match, 'credential-id');

  // The judge: jq over the same files, by the exact credential id (one pass; every stage of every request).
  const mine = `.user.extra["authentication.kubernetes.io/credential-id"][0] == "JTI=${jti}"`;
  const logged = (await jqLines(files, `select(${mine}) | [.auditID, .verb, .objectRef.resource // "", .objectRef.subresource // "", (.responseStatus.code // 0 | tostring)] | @tsv`)).map((l) => l.split('\t'));
  const judged = (keep: (e: { verb: string; resource: string; subresource: string; code: string }) => boolean) => [...new Set(logged.filter(([, verb = '', resource = '', subresource = '', code = '']) => keep({ verb, resource, subresource, code })).map(([id = '']) => id))].sort();
  const ids = (items: Request[]) => [...new Set(items.map((r) => r.auditId))].sort();
  const all = Object.entries(who.groups).filter(([k]) => k !== 'denied').flatMap(([, v]) => v);
  assert.deepEqual(ids(all), judged(() => true), 'audit who and jq disagree on the token\'s requests');
  assert.equal(all.length, ids(all).length, 'a request was counted in two groups');
  assert.deepEqual(ids(who.groups.secrets ?? []), judged((e) => e.resource === 'secrets' && (e.verb === 'list' || e.verb === 'get')));
  assert.deepEqual(ids(who.groups.exec ?? []), judged((e) => e.subresource === 'exec'));
  assert.deepEqual(ids(who.groups.rbac ?? []), judged((e) => e.resource === 'rolebindings' && e.verb === 'create'));
  assert.deepEqual(ids(who.groups.changes ?? []), judged((e) => e.resource === 'cronjobs' && e.verb === 'create'));
  assert.deepEqual(ids(who.groups.denied ?? []), judged((e) => e.code === '403'));
  assert.equal(who.groups.exec?.length, 1);
  assert.deepEqual(who.groups.rbac?.map((r) => r.object), [`rolebindings.rbac.authorization.k8s.io ${ns}/persist`]);
  assert.deepEqual(who.groups.changes?.map((r) => r.object), [`cronjobs.batch ${ns}/beacon`]);
  assert.ok(who.groups.denied?.some((r) => r.object === 'secrets kube-system/*'), JSON.stringify(who.groups.denied));

  // Who minted it: the kubelet's TokenRequest for the pod, whose annotation carries the id.
  const minting = await jqLines(files, `select(.annotations["authentication.kubernetes.io/issued-credential-id"] == "JTI=${jti}" and .stage == "ResponseComplete") | .auditID`);
  assert.equal(minting.length, 1);
  assert.deepEqual(who.mintedBy.map((m) => [m.auditId, m.match, m.username, m.bound]), [[minting[0], 'issued-credential-id', `system:node:${lab.nodeName}`, 'Pod suspect']]);

  // The attacker's address is new for the workload, whose own address (the captured pod IP) is known.
  const podIp = (await kubectl(lab, 'admin', ['get', 'pod', 'suspect', '-n', ns, '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
  assert.deepEqual(who.baseline.addresses, [podIp]);
  const attackerIps = await jqLines(files, `select(${mine}) | .sourceIPs[0]`);
  assert.deepEqual(who.sourceIps.map((s) => [s.value, s.newForWorkload]).sort(), attackerIps.map((ip) => [ip, ip !== podIp]));
  assert.ok(who.sourceIps.some((s) => s.newForWorkload));
  const text = await runKustody(['audit', 'who', created.path]);
  assert.match(text.stdout, new RegExp(`RBAC changes \\(1\\)\\n.*create rolebindings\\.rbac\\.authorization\\.k8s\\.io ${ns}/persist`));
  assert.equal(readFileSync(join(created.path, 'evidence.db')).includes(token), false, 'the token was stored');
});
