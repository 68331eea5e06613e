// The leaked-token playbook's audit step on the lab, end to end and headless: the suspect's token, stolen and used
// from the node with kubectl, reads Secrets, creates a ServiceAccount, binds it, mints tokens for it and for its own
// account, makes a legacy token Secret for its own account, and plants a CronJob with the new account's token. The run
// ingests the lab's audit log; what its steps report (events of the leaked token, identities revocation lists, objects
// the sweep removes) and what `audit who --token-file` (its checklist's next step) reports equal what jq finds in the
// same log files, and afterwards the API server rejects every token the attacker held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { auditLogThrough, holdToken, stealSuspectToken, waitUntilAllowed } from '../helpers/stolen-token.js';
import { labAuditFiles } from '../helpers/audit.js';
import { shopNamespace } from './playbook-helpers.js';

type RunEvent = { type: string; stepId?: string; outcome?: string; summary?: string[]; status?: string };
type Logged = { stage: string; auditId: string; credential: string; username: string; verb: string; resource: string; subresource: string; namespace: string; name: string; code: number; issued: string };

const uidOf = async (lab: LabEnv, kind: string, ns: string, name: string) => (await kubectl(lab, 'admin', ['get', kind, name, '-n', ns, '--ignore-not-found', '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();
const authenticates = async (lab: LabEnv, token: string) => (await kubectl(lab, 'admin', ['create', '-f', '-', '-o', 'jsonpath={.status.authenticated}'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) })).stdout.trim() === 'true';

/** Whether the token still authenticates after a bounded wait: the API server caches a verdict briefly and reads accounts and Secrets from its informers, as kustody's own verification allows for. */
async function stillAuthenticates(lab: LabEnv, token: string): Promise<boolean> {
  let alive = true;
  for (let i = 0; i < 240 && alive; i += 1) if ((alive = await authenticates(lab, token))) await new Promise((r) => setTimeout(r, 500));
  return alive;
}

/**
 * The judge: jq reads every event of a request made by a ServiceAccount of `ns` (the attacker here holds only those) from the
 * files; the attacker's completed requests are those of the stolen credential, of every token minted with them and of every account they created.
 */
async function judge(files: string[], ns: string, stolen: string): Promise<{ all: Logged[]; mine: Logged[]; minted: string[]; accounts: string[] }> {
  const fields = '[.stage, .auditID // "", (.user.extra["authentication.kubernetes.io/credential-id"] // [])[0] // "", .user.username // "", .verb // "", .objectRef.resource // "", .objectRef.subresource // "", .objectRef.namespace // "", .objectRef.name // "", (.responseStatus.code // 0 | tostring), .annotations["authentication.kubernetes.io/issued-credential-id"] // ""] | @tsv';
  const run = await execa('jq', ['-r', '--arg', 'who', `system:serviceaccount:${ns}:`, `select(.user.username // "" | startswith($who)) | ${fields}`, ...files], { reject: false, maxBuffer: 64 * 1024 * 1024 });
  // The live file may end in a line the API server is still writing.
  assert.ok(run.exitCode === 0 || /Unfinished JSON term at EOF/.test(run.stderr), run.stderr);
  const all = run.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const [stage = '', auditId = '', credential = '', username = '', verb = '', resource = '', subresource = '', namespace = '', name = '', code = '0', issued = ''] = l.split('\t');
    return { stage, auditId, credential, username, verb, resource, subresource, namespace, name, code: Number(code), issued };
  });
  const events = all.filter((e) => e.stage === 'ResponseComplete');
  const credentials = new Set([stolen]);
  const created = new Set<string>();
  for (let size = 0; size !== credentials.size + created.size;) {
    size = credentials.size + created.size;
    for (const e of events) {
      if (!(credentials.has(e.credential) || created.has(e.username)) || e.verb !== 'create' || e.resource !== 'serviceaccounts' || e.code >= 300) continue;
      if (e.subresource === 'token' && e.issued !== '') credentials.add(e.issued);
      if (e.subresource === '') created.add(`system:serviceaccount:${e.namespace}:${e.name}`);
    }
  }
  const mine = events.filter((e) => credentials.has(e.credential) || created.has(e.username));
  return { all, mine, minted: [...credentials].filter((c) => c !== stolen).sort(), accounts: [...new Set([...mine.map((e) => e.username), ...created])].sort() };
}

test('run leaked-token with the lab audit log: its audit step counts the leaked token\'s events, audit who --token-file reports its requests, revocation lists every account and minted token the attacker used or created, the sweep removes exactly what they created (a legacy token Secret included, not the team\'s grant), each as jq finds it in the same log; then no attacker token authenticates (the one minted for the pod\'s own account once the rotation the step names is done); a dry run changes nothing and audit restore undoes the sweep', { timeout: 420_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const startedMs = Date.now() - 1000;
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  let caseId: string | null = null;
  const ns = await shopNamespace(t, lab, 'lkaud', () => caseId);
  const created = await newCase(dir);
  caseId = created.id;
  // The suspect copied its token to /tmp/.t, as an attacker would before sending it out; the responder got that copy.
  const stolen = await stealSuspectToken(lab, dir, ns, '/tmp/.t');
  const tokenFile = join(dir, 'leaked.jwt');
  writeFileSync(tokenFile, stolen.token, { mode: 0o600 });
  await stolen.as(['get', 'secrets']);
  await stolen.as(['get', 'secret', 'shop-db', '-o', 'name']);
  await stolen.as(['create', 'serviceaccount', 'backdoor']);
  await stolen.as(['create', 'rolebinding', 'persist', '--clusterrole=edit', `--serviceaccount=${ns}:backdoor`]);
  const backdoor = await holdToken(lab, dir, ns, (await stolen.as(['create', 'token', 'backdoor', '--duration=2h'])).stdout.trim(), 'backdoor');
  const spare = await holdToken(lab, dir, ns, (await stolen.as(['create', 'token', 'web', '--duration=2h'])).stdout.trim(), 'spare');
  // A legacy token Secret for web: a token that never expires and outlives the pod, filled in by the token controller.
  const keep = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'web-keep', annotations: { 'kubernetes.io/service-account.name': 'web' } } };
  await stolen.as(['create', '-f', '-'], true, JSON.stringify(keep));
  let legacy = '';
  for (let i = 0; i < 480 && legacy === ''; i += 1) {
    legacy = Buffer.from((await stolen.as(['get', 'secret', 'web-keep', '-o', 'jsonpath={.data.token}'])).stdout.trim(), 'base64').toString();
    if (legacy === '') await new Promise((r) => setTimeout(r, 250));
  }
  assert.notEqual(legacy, '', 'the token controller never filled in the legacy token Secret');
  await waitUntilAllowed(backdoor, ['create', 'cronjobs']);
  await backdoor.as(['create', 'cronjob', 'beacon', '--image=lab.local/busybox:1.35', '--schedule=0 0 1 1 *', '--', 'sh', '-c', 'echo beacon']);
  await auditLogThrough(lab, startedMs, stolen, ns, ['serviceaccounts/backdoor', 'rolebindings/persist', 'secrets/web-keep', 'cronjobs/beacon']);
  // The lab's log as a responder hands it over: the live file and any the API server rotated it into since the test began
  // (listed again at each use, so a rotation in between loses nothing).
  const files = () => labAuditFiles(lab, startedMs);

  const run = (extra: string[]) => runKustody(['run', 'leaked-token', '--token-file', tokenFile, '--case', created.path, ...files().flatMap((f) => ['--audit-log', f]), '--yes', '--json', ...extra], { env: { KUBECONFIG: lab.responderKubeconfig } });
  const events = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
  const done = (list: RunEvent[], step: string) => list.find((e) => e.type === 'step-done' && e.stepId === step);
  const planted = { sa: await uidOf(lab, 'serviceaccount', ns, 'backdoor'), cron: await uidOf(lab, 'cronjob', ns, 'beacon'), binding: await uidOf(lab, 'rolebinding', ns, 'persist') };

  const dry = await run(['--dry-run']);
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  assert.deepEqual({ sa: await uidOf(lab, 'serviceaccount', ns, 'backdoor'), cron: await uidOf(lab, 'cronjob', ns, 'beacon'), binding: await uidOf(lab, 'rolebinding', ns, 'persist') }, planted, '--dry-run removed what the attacker planted');
  assert.notEqual(await uidOf(lab, 'pod', ns, 'suspect'), '', '--dry-run deleted the suspect pod');

  const real = await run([]);
  assert.equal(real.exitCode, 0, real.stdout + real.stderr);
  const list = events(real.stdout);
  assert.equal(list.at(-1)?.status, 'completed', real.stdout);
  const text = (step: string) => done(list, step)?.summary?.join('\n') ?? assert.fail(`no ${step} step in ${real.stdout}`);
  const audit = text('audit-log');
  const revoke = text('revoke');
  const sweep = text('sweep');

  const judged = await judge(files(), ns, stolen.credential);
  // The audit step: as many events of the leaked token as jq finds (every stage the policy keeps).
  const jqCount = judged.all.filter((e) => e.credential === stolen.credential).length;
  assert.match(audit, new RegExp(`^${jqCount} event\\(s\\) in the case carry the leaked token's credential id ${stolen.credential} `, 'm'), audit);
  // The playbook's next step, as its checklist says: audit who with the leaked token reports exactly the requests jq finds made with it.
  const who = await runKustody(['audit', 'who', created.path, '--token-file', tokenFile, '--json']);
  assert.equal(who.exitCode, 0, who.stderr);
  const traced = (JSON.parse(who.stdout) as { identities: Array<{ identity: { jti: string | null }; groups: Record<string, Array<{ auditId: string }>> }> }).identities.find((i) => i.identity.jti === stolen.jti);
  assert.ok(traced, `audit who --token-file did not report the leaked token: ${who.stdout.slice(0, 400)}`);
  assert.deepEqual([...new Set(Object.values(traced.groups).flat().map((r) => r.auditId))].sort(), [...new Set(judged.mine.filter((e) => e.credential === stolen.credential).map((e) => e.auditId))].sort(), 'audit who and jq disagree on the leaked token\'s requests');
  const reads = judged.mine.filter((e) => e.credential === stolen.credential && e.resource === 'secrets' && (e.verb === 'get' || e.verb === 'list'));
  assert.deepEqual((traced.groups.secrets ?? []).map((r) => r.auditId).sort(), reads.map((e) => e.auditId).sort(), 'audit who and jq disagree on the Secrets read');
  assert.ok(reads.length >= 3, 'the Secrets listed, read and fetched back (the legacy token) are not all in the log');
  // Revocation names every account the attacker used or created and every token minted, as jq finds them.
  assert.deepEqual([...new Set(revoke.match(/system:serviceaccount:[a-z0-9-]+:[a-z0-9-]+/g) ?? [])].sort(), judged.accounts, revoke);
  assert.deepEqual([...new Set(revoke.match(/JTI=[0-9a-f-]+/g) ?? [])].sort(), judged.minted, revoke);
  // The token minted for the pod's own account outlives the pod: the step says so, names the rotation, and warns.
  assert.match(revoke, new RegExp(`token ${spare.credential} minted by system:serviceaccount:${ns}:web .*, bound to the account only`), revoke);
  assert.match(revoke, new RegExp(`kustody revoke --service-account ${ns}/web --rotate-sa`), revoke);
  assert.equal(done(list, 'revoke')?.outcome, 'warning', revoke);
  // The sweep removes exactly the objects the attacker's identities created in the namespace, and keeps the team's grant.
  const kinds: Record<string, string> = { serviceaccounts: 'ServiceAccount', rolebindings: 'RoleBinding', cronjobs: 'CronJob', secrets: 'Secret' };
  const createdByAttacker = judged.mine.filter((e) => e.verb === 'create' && e.subresource === '' && e.code < 300 && e.namespace === ns).map((e) => `${kinds[e.resource] ?? e.resource} ${ns}/${e.name}`).sort();
  const removed = [...sweep.matchAll(/applied +Delete (\S+) (\S+)/g)].map((m) => `${m[1]} ${m[2]}`).sort();
  assert.deepEqual(removed, createdByAttacker, sweep);
  assert.deepEqual(createdByAttacker, [`CronJob ${ns}/beacon`, `RoleBinding ${ns}/persist`, `Secret ${ns}/web-keep`, `ServiceAccount ${ns}/backdoor`]);
  assert.equal(await uidOf(lab, 'rolebinding', ns, 'team-grant'), stolen.teamGrantUid, 'the team\'s own grant, made in the same window, was removed');

  // The outside judge: no token the attacker held still authenticates.
  assert.equal(await stillAuthenticates(lab, stolen.token), false, 'the stolen token still authenticates');
  assert.equal(await stillAuthenticates(lab, backdoor.token), false, 'the backdoor account\'s token still authenticates');
  assert.equal(await stillAuthenticates(lab, legacy), false, 'the legacy token the attacker made for web still authenticates');
  assert.equal(await authenticates(lab, spare.token), true, 'the report said the token minted for web outlives the pod, yet it is dead');
  // A revocation of web that leaves that token alive ends saying so, and exits 1 (here: its legacy token Secrets, already swept).
  const partial = await runKustody(['revoke', '--service-account', `${ns}/web`, '--legacy-tokens', '--case', created.path, '--yes'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(partial.exitCode, 1, partial.stdout + partial.stderr);
  assert.match(partial.stdout, new RegExp(`!! 1 token\\(s\\) the audit log shows minted for system:serviceaccount:${ns}:web outlive this revocation: ${spare.credential}\\. Kill them: kustody revoke --service-account ${ns}/web --rotate-sa`), partial.stdout);
  assert.equal(await authenticates(lab, spare.token), true);
  // The rotation the report names kills it.
  const rotate = await runKustody(['revoke', '--service-account', `${ns}/web`, '--rotate-sa', '--case', created.path, '--yes'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(rotate.exitCode, 0, rotate.stdout + rotate.stderr);
  assert.equal(await stillAuthenticates(lab, spare.token), false, `the token minted for web still authenticates after the rotation:\n${rotate.stdout}`);

  // The documented undo: audit restore, as an administrator, recreates what the sweep removed from the copies in the case.
  const restored = await runKustody(['audit', 'restore', created.path, '--yes', '--json'], { env: { KUBECONFIG: lab.adminKubeconfig } });
  assert.equal(restored.exitCode, 0, restored.stdout + restored.stderr);
  const back = { sa: await uidOf(lab, 'serviceaccount', ns, 'backdoor'), cron: await uidOf(lab, 'cronjob', ns, 'beacon'), binding: await uidOf(lab, 'rolebinding', ns, 'persist') };
  for (const [what, uid] of Object.entries(back)) assert.ok(uid !== '' && uid !== planted[what as keyof typeof planted], `${what} was not recreated`);
  const spec = JSON.parse((await kubectl(lab, 'admin', ['get', 'rolebinding', 'persist', '-n', ns, '-o', 'json'])).stdout) as { roleRef: { name: string }; subjects: Array<{ name: string }> };
  assert.deepEqual([spec.roleRef.name, spec.subjects.map((s) => s.name)], ['edit', ['backdoor']]);
});
