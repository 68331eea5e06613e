/**
 * A live exercise whose attacker process was SIGKILLed, on the lab: kustody finds the runner dead (PID
 * and /proc start time), records it once, says so in the score and the watch, lets a new exercise start
 * in the same case, and `exercise stop` still removes everything both created.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, requireLab } from '../helpers/lab.js';
import { exerciseCli, scoreCard, startLabExercise, uniqueNamespace } from '../helpers/lab-exercise.js';
import { alive, exerciseEvents } from './exercise-helpers.js';

test('a live exercise whose attacker was SIGKILLed is scored and watched as interrupted (recorded once, still provisional); a new exercise start in the case says so and proceeds; stop removes both', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (lab === null) return;
  const ex = await startLabExercise(t, lab, 'token-theft', 'intr', 1);
  const second = uniqueNamespace('intr');
  // The case's after-test stop takes the newest exercise only: the first one gets its own.
  t.after(async () => { await exerciseCli(lab, ['stop', ex.casePath, '--yes']); });
  process.kill(ex.attackerPid, 'SIGKILL');
  for (let i = 0; i < 100 && alive(ex.attackerPid); i += 1) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(ex.attackerPid), false);

  const card = await scoreCard(ex);
  assert.match(card.interrupted?.message ?? '', new RegExp(`the attacker process \\(pid ${ex.attackerPid}\\) died at or before`));
  assert.equal(card.provisional, true, 'a live exercise stays open until stop removes what it created');
  const watch = await ex.facilitator(['watch', ex.casePath, '--once']);
  assert.match(watch.stdout, /INTERRUPTED: the attacker process .* kustody exercise stop CASE --yes removes what it created/);

  const again = await ex.facilitator(['start', 'token-theft', '--case', ex.casePath, '-n', second, '--minute-seconds', '1', '--yes', '--json']);
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
  assert.match(again.stderr, /Exercise 1 \(token-theft\) was interrupted: .* Its objects are still on the cluster/);
  assert.equal(exerciseEvents(ex.casePath).filter((e) => e.name === 'runner-died').length, 1, 'recorded once however often it is noticed');

  for (const ns of [second, ex.namespace]) {
    const stop = await ex.facilitator(['stop', ex.casePath, '--yes', '--json']);
    assert.equal(stop.exitCode, 0, stop.stdout + stop.stderr);
    assert.equal((JSON.parse(stop.stdout) as { status: string }).status, 'stopped');
    assert.equal((await kubectl(lab, 'admin', ['get', 'namespace', ns, '--ignore-not-found', '-o', 'name'])).stdout.trim(), '', `namespace ${ns} left after stop`);
  }
});
