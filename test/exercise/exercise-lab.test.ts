import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, requireLab, type LabEnv } from '../helpers/lab.js';
import { openAuditWindow } from '../helpers/audit.js';
import { runKustody } from '../helpers/cli.js';
import { exerciseCli, facilitatorEnv, labExerciseCase, playerEnv, startLabExercise, stopAndReadBack } from '../helpers/lab-exercise.js';
import { startKustody, waitForPause } from '../playbooks/playbook-helpers.js';
import { alive, clusterSnapshot, compareSnapshots, exerciseEvents, exerciseRows, waitForEvent } from './exercise-helpers.js';

/** The attacker's audit events (by username) logged since `offset` of the audit log, once the log is flushed. */
async function attackerAuditEvents(lab: LabEnv, offset: { size: number; ino: number }, username: string): Promise<Array<{ verb: string; objectRef?: { resource?: string; name?: string; namespace?: string }; responseStatus?: { code?: number } }>> {
  await openAuditWindow(lab).close();
  const fd = openSync(lab.auditLog, 'r');
  try {
    const start = fstatSync(fd).ino === offset.ino ? offset.size : 0;
    const size = fstatSync(fd).size - start;
    const buffer = Buffer.alloc(Math.max(0, size));
    readSync(fd, buffer, 0, buffer.length, start);
    type Event = { stage: string; user: { username: string }; verb: string; objectRef?: { resource?: string; name?: string; namespace?: string }; responseStatus?: { code?: number } };
    return buffer.toString('utf8').split('\n').filter((l) => l.includes(username)).map((l) => JSON.parse(l) as Event)
      .filter((e) => e.stage === 'ResponseComplete' && e.user.username === username);
  } finally {
    closeSync(fd);
  }
}

test('exercise start deploys token-theft, the attacker acts as its own ServiceAccount (a refused call is recorded and the exercise goes on), isolating the pod fires its inject, and stop leaves the cluster as it was', async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const before = await clusterSnapshot(lab);
  const audit = statSync(lab.auditLog);
  const ex = await startLabExercise(t, lab, 'token-theft', 'tt', 1);
  const { namespace, casePath } = ex;
  assert.ok(alive(ex.attackerPid), 'the attacker process runs detached after start returned');

  await waitForEvent(casePath, (r) => r.kind === 'attacker-action' && r.name === 'start-pod');
  const events = exerciseEvents(casePath);
  const action = (name: string) => events.find((r) => r.kind === 'attacker-action' && r.name === name);
  const identity = `system:serviceaccount:${namespace}:web`;
  assert.equal(action('steal-token')?.outcome, 'ok');
  assert.equal(action('list-secrets')?.outcome, 'ok');
  assert.deepEqual(action('list-secrets')?.detail.names, [`${namespace}/payments-db`]);
  assert.equal(action('probe-cluster')?.outcome, 'refused');
  assert.equal(action('probe-cluster')?.detail.status, 403);
  assert.equal(action('read-db-secret')?.outcome, 'ok');
  assert.deepEqual(action('read-db-secret')?.detail.keys, ['password', 'username']);
  assert.equal(action('start-pod')?.outcome, 'ok', 'the exercise went on after the refused call');
  assert.ok((action('start-pod')?.seq ?? 0) > (action('probe-cluster')?.seq ?? Infinity));
  assert.ok(events.every((r) => r.kind !== 'attacker-action' || r.detail.identity === identity || r.name === 'steal-token'));
  assert.ok(!JSON.stringify(action('read-db-secret')).includes('lab-only-not-a-real-password'), 'the attacker\'s read records the Secret\'s keys, not its values');
  const bytes = readFileSync(join(casePath, 'exercise.db')).toString('latin1') + readFileSync(join(casePath, 'exercise.db-wal')).toString('latin1');
  assert.ok(!bytes.includes('lab-only-not-a-real-password'), 'no Secret value, not even the scenario\'s practice one, is anywhere in the exercise log');

  const planted = await kubectl(lab, 'admin', ['get', 'pod', 'web-debug', '-n', namespace, '-o', 'jsonpath={.spec.serviceAccountName}']);
  assert.equal(planted.stdout, 'web', planted.stderr);
  const seen = await attackerAuditEvents(lab, audit, identity);
  assert.ok(seen.some((e) => e.verb === 'create' && e.objectRef?.resource === 'pods' && e.objectRef.name === 'web-debug' && e.responseStatus?.code === 201), 'the API server logged the attacker\'s own identity creating web-debug');
  assert.ok(seen.some((e) => e.verb === 'list' && e.objectRef?.resource === 'secrets' && e.objectRef.namespace === undefined && e.responseStatus?.code === 403), 'and refusing its cluster-wide list');

  const isolate = await runKustody(['isolate', `${namespace}/web`, '--case', casePath, '--yes'], { env: playerEnv(lab) });
  assert.equal(isolate.exitCode, 0, isolate.stdout + isolate.stderr);
  const fired = await waitForEvent(casePath, (r) => r.kind === 'inject' && r.name === 'still-reading' && r.outcome === 'fired');
  assert.equal((fired.detail.trigger as { event?: string }).event, 'pod-isolated');
  const reread = await waitForEvent(casePath, (r) => r.kind === 'attacker-action' && r.name === 'inject:still-reading');
  assert.equal(reread.outcome, 'ok', 'isolation does not revoke the stolen token: the attacker still reads the Secret');

  const pid = exerciseRows(casePath)[0]?.attacker_pid ?? 0;
  await stopAndReadBack(ex);
  assert.ok(!alive(pid), 'stop ended the attacker process');
  const row = exerciseRows(casePath)[0];
  assert.ok(row?.stopped_at, 'the exercise is marked stopped');
  const gone = exerciseEvents(casePath).filter((r) => r.kind === 'deleted-object' && r.outcome === 'gone').map((r) => r.name);
  for (const name of ['Namespace ' + namespace, `Pod ${namespace}/web`, `Pod ${namespace}/web-debug`, `Secret ${namespace}/payments-db`, `RoleBinding ${namespace}/web`]) assert.ok(gone.includes(name), `${name} read back as gone`);
  const diff = compareSnapshots(before, await clusterSnapshot(lab), namespace);
  assert.deepEqual(diff, { leftOver: [], changed: [] });
});

test('kustody killed during start, right after creating the victim pod (its uid never recorded): stop removes everything from the exercise log alone', async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const { casePath, namespace } = await labExerciseCase(t, lab, 'kill');
  const run = startKustody(['exercise', 'start', 'token-theft', '--case', casePath, '-n', namespace, '--yes'], { ...facilitatorEnv(lab), KUSTODY_TEST_PAUSE: 'exercise-after-create:web' });
  await waitForPause(run, 'exercise-after-create:web');
  run.child.kill('SIGKILL');
  await run.child;
  const pod = await kubectl(lab, 'admin', ['get', 'pod', 'web', '-n', namespace, '-o', 'name']);
  assert.equal(pod.stdout.trim(), 'pod/web', 'the pod was created before the kill');
  assert.deepEqual(exerciseEvents(casePath).filter((r) => r.name === `Pod ${namespace}/web`).map((r) => r.outcome), ['intent']);
  await stopAndReadBack({ lab, casePath, namespace });
});

test('the attacker process killed mid-exercise: stop still removes the backdoor account, binding and CronJob it planted, and the refused cluster-admin binding never existed', async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const ex = await startLabExercise(t, lab, 'planted-persistence', 'pp', 1);
  const { namespace, casePath } = ex;
  const cron = await waitForEvent(casePath, (r) => r.kind === 'attacker-action' && r.name === 'cronjob');
  assert.equal(cron.outcome, 'ok');
  const refused = exerciseEvents(casePath).find((r) => r.name === 'cluster-admin');
  assert.equal(refused?.outcome, 'refused');
  process.kill(ex.attackerPid, 'SIGKILL');
  for (const [kind, name] of [['cronjob', 'log-rotate'], ['rolebinding', 'metrics-reader'], ['serviceaccount', 'metrics']] as const) {
    const got = await kubectl(lab, 'admin', ['get', kind, name, '-n', namespace, '-o', 'name']);
    assert.equal(got.exitCode, 0, `${kind}/${name} planted: ${got.stderr}`);
  }
  await stopAndReadBack(ex);
  const crb = await kubectl(lab, 'admin', ['get', 'clusterrolebinding', `${namespace}-metrics-admin`, '--ignore-not-found', '-o', 'name']);
  assert.equal(crb.stdout.trim(), '');
  const deleted = exerciseEvents(casePath).filter((r) => r.kind === 'deleted-object' && r.outcome === 'deleted').map((r) => r.name);
  for (const name of [`CronJob ${namespace}/log-rotate`, `RoleBinding ${namespace}/metrics-reader`, `ServiceAccount ${namespace}/metrics`]) assert.ok(deleted.includes(name), `${name} deleted by stop`);
});

test('two exercises on one cluster stay in their own namespaces: each attacker sees only its own Secrets, and stopping one leaves the other running', async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const [A, B] = [await labExerciseCase(t, lab, 'two'), await labExerciseCase(t, lab, 'two')];
  const [a, b] = [A.namespace, B.namespace];
  const starts = await Promise.all([
    exerciseCli(lab, ['start', 'token-theft', '--case', A.casePath, '-n', a, '--minute-seconds', '1', '--yes', '--json']),
    exerciseCli(lab, ['start', 'token-theft', '--case', B.casePath, '-n', b, '--minute-seconds', '1', '--yes', '--json']),
  ]);
  for (const s of starts) assert.equal(s.exitCode, 0, s.stdout + s.stderr);
  const [listA, listB] = await Promise.all([A, B].map((c) => waitForEvent(c.casePath, (r) => r.kind === 'attacker-action' && r.name === 'list-secrets')));
  assert.deepEqual(listA?.detail.names, [`${a}/payments-db`]);
  assert.deepEqual(listB?.detail.names, [`${b}/payments-db`]);
  await stopAndReadBack({ lab, ...A });
  const pidB = (JSON.parse(starts[1]?.stdout ?? '{}') as { attacker_pid: number }).attacker_pid;
  assert.ok(alive(pidB), 'the other exercise\'s attacker still runs');
  const podB = await kubectl(lab, 'admin', ['get', 'pod', 'web', '-n', b, '-o', 'name']);
  assert.equal(podB.stdout.trim(), 'pod/web');
  const started = await exerciseCli(lab, ['start', 'token-theft', '--case', B.casePath, '--yes']);
  assert.equal(started.exitCode, 2, 'a second exercise in the same case is refused');
  assert.match(started.stderr, /already runs exercise token-theft/);
  await stopAndReadBack({ lab, ...B });
});
