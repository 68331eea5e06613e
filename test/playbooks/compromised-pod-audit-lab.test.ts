// The compromised-pod playbook's audit step on the lab: the suspect's token, stolen and used from the node with
// kubectl (list Secrets, exec (a websocket GET since kubectl 1.30), a refused probe, a RoleBinding and a CronJob), is found in the lab's audit log by a
// headless run: audit who reports exactly the requests jq finds for the token's credential id in the same log, the
// findings cite them, and the sweep removes what the token planted (not the team's grant).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { openAuditTail } from '../helpers/audit.js';
import { stealSuspectToken } from '../helpers/stolen-token.js';
import { shopNamespace } from './playbook-helpers.js';

type RunEvent = { type: string; stepId?: string; summary?: string[]; status?: string };
type Who = { identities: Array<{ identity: { jti: string | null }; groups: Record<string, Array<{ auditId: string; object: string }>>; sourceIps: Array<{ value: string; newForWorkload: boolean }> }> };

const uidOf = async (lab: LabEnv, kind: string, ns: string, name: string) => (await kubectl(lab, 'admin', ['get', kind, name, '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();

test('compromised-pod with the lab audit log: audit who reports exactly the stolen token\'s requests jq finds in the same log (Secrets, exec (a websocket GET since kubectl 1.30), a refused probe, RoleBinding, CronJob, from a new address), the findings cite them, and the sweep removes what it planted', { timeout: 480_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  let caseId: string | null = null;
  const ns = await shopNamespace(t, lab, 'pbaud', () => caseId);
  const created = await newCase(dir);
  caseId = created.id;
  const tail = openAuditTail(lab);
  t.after(() => tail.close());
  // The team grants the suspect's ServiceAccount admin in its namespace; the attacker copies the pod's token.
  const { as, jti, credential, teamGrantUid: team } = await stealSuspectToken(lab, dir, ns, '/var/run/secrets/kubernetes.io/serviceaccount/token');
  await as(['get', 'secrets']);
  await as(['exec', 'suspect', '--', 'true']);
  await as(['get', 'secrets', '-n', 'kube-system'], false);
  await as(['create', 'rolebinding', 'persist', '--clusterrole=edit', `--serviceaccount=${ns}:default`]);
  await as(['create', 'cronjob', 'beacon', '--image=lab.local/busybox:1.35', '--schedule=0 0 1 1 *', '--', 'sh', '-c', 'echo beacon']);

  // The lab's audit log of this window, once it holds the CronJob's create, is what the playbook reads and what jq judges.
  let lines: string[] = [];
  for (let i = 0; i < 480; i += 1) {
    lines = tail.lines();
    if (lines.some((l) => l.includes(credential) && l.includes('"ResponseComplete"') && l.includes('"cronjobs"'))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = join(dir, 'audit.log');
  writeFileSync(log, `${lines.join('\n')}\n`);
  const run = await runKustody(['run', 'compromised-pod', '--target', `${ns}/suspect`, '--case', created.path, '--audit-log', log, '--yes', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
  assert.equal(events.at(-1)?.status, 'completed', run.stdout);

  // The judge: jq over the same log, one line per completed request made with the token's credential id.
  const jq = await execa('jq', ['-r', '--arg', 'id', credential, 'select(.stage == "ResponseComplete" and (.user.extra["authentication.kubernetes.io/credential-id"] // [])[0] == $id) | [(.auditID // "-"), (.verb // "-"), (.objectRef.resource // "-"), (.objectRef.subresource // "-"), (.objectRef.namespace // "-"), (.objectRef.name // "-"), (.responseStatus.code // "-" | tostring)] | join(" ")', log]);
  const judged = jq.stdout.trim().split('\n').filter((l) => l !== '');
  const judge = (pattern: RegExp) => judged.filter((l) => pattern.test(l)).map((l) => l.split(' ')[0]);
  // audit who as the responder runs it after the playbook: every token the case captured (the pod's own, by its jti).
  const who = await runKustody(['audit', 'who', created.path, '--json']);
  assert.equal(who.exitCode, 0, who.stderr);
  const report = (JSON.parse(who.stdout) as Who).identities.find((i) => i.identity.jti === jti);
  assert.ok(report, 'the capture did not give audit who the pod\'s token');
  const ids = (group: string) => (report.groups[group] ?? []).map((r) => r.auditId).sort();
  assert.deepEqual(Object.values(report.groups).flat().map((r) => r.auditId).filter((v, i, a) => a.indexOf(v) === i).sort(), judged.map((l) => l.split(' ')[0]).sort(), 'audit who and jq disagree on the token\'s requests');
  assert.deepEqual(ids('secrets'), judge(/ (get|list) secrets - /).sort());
  assert.equal(ids('secrets').length, 2, judged.join('\n'));
  assert.deepEqual(ids('exec'), judge(/ (create|get) pods exec .* suspect 101$/).sort());
  assert.equal(ids('exec').length, 1, judged.join('\n'));
  assert.deepEqual(ids('denied'), judge(/ list secrets - kube-system - 403$/).sort());
  assert.deepEqual(ids('rbac'), judge(/ create rolebindings - .* persist 201$/).sort());
  const cron = judge(/ create cronjobs - .* beacon 201$/);
  assert.equal(cron.length, 1, judged.join('\n'));
  assert.ok(ids('changes').includes(cron[0]!), 'the CronJob create is not among the token\'s changes');
  assert.ok(report.sourceIps.length > 0 && report.sourceIps.every((s) => s.newForWorkload), `the node's address was not new for the workload: ${JSON.stringify(report.sourceIps)}`);

  // The findings rest on those rows; the sweep removed what the token planted and left the team's grant.
  const out = join(dir, 'report.json');
  assert.equal((await runKustody(['report', created.path, '--format', 'json', '-o', out])).exitCode, 0);
  const findings = (JSON.parse(readFileSync(out, 'utf8')) as { findings: Array<{ id: string; evidence: Array<{ table: string }> }> }).findings;
  for (const rule of ['audit-new-origin', 'audit-secrets-read', 'audit-exec', 'audit-rbac-change', 'audit-denied']) {
    const finding = findings.find((f) => f.id === `${rule}:${credential}`);
    assert.ok(finding !== undefined && finding.evidence.length > 0 && finding.evidence.every((e) => e.table === 'audit_events'), `no ${rule} finding citing audit rows: ${findings.map((f) => f.id).join(', ')}`);
  }
  assert.equal(await uidOf(lab, 'cronjob', ns, 'beacon'), '', 'the planted CronJob is still there');
  assert.equal(await uidOf(lab, 'rolebinding', ns, 'persist'), '', 'the planted RoleBinding is still there');
  assert.equal(await uidOf(lab, 'rolebinding', ns, 'team-grant'), team, 'the team\'s grant was removed');
});
