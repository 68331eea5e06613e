// The words a headless run prints: wait lines, and next-step hints true for the run at hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepHint, stoppedHint, waitMessage } from '../../../src/core/playbook/run-messages.js';
import { startWait } from '../../../src/runner/wait-progress.js';
import { trusted } from '../../../src/core/display/index.js';

// The next steps kustody's step errors carry today, as written in src/.
const RESUME_HINTS = [
  'Check the pod is running, or give --collector-image (with --yes) for the debug and node vantages, then run again with --resume.',
  'Install it, or give its absolute path in the playbook, then run again with --resume.',
  'Read its stderr in the custody log (kustody case show), fix the cause, then run again with --resume.',
  'Read the step\'s custody rows (kustody case show), fix the cause, then run again with --resume: changes already in effect are skipped.',
  'Check what the token is bound to (kustody case show), revoke that too, then run again with --resume.',
  'Run the same command again with --resume.',
];
const DEBUG_HINTS = ['Rerun with --debug for details.', 'This is likely a bug in kustody; rerun with --debug and report it.', 'Rerun with --debug for details and report it if it looks like a bug in kustody.', 'Rerun with --debug for the details.'];

test('in a dry run, every "run again with --resume" hint becomes "run the dry run again" and keeps the rest of its advice', () => {
  for (const hint of RESUME_HINTS) {
    const dry = stepHint(hint, { dryRun: true }) ?? '';
    assert.doesNotMatch(dry, /--resume/, hint);
    assert.match(dry, /[Rr]un the (same )?dry run again/, hint);
    assert.equal(stepHint(hint, { dryRun: false }), hint, 'a real run keeps --resume');
  }
  assert.equal(stepHint(RESUME_HINTS[0], { dryRun: true }), 'Check the pod is running, or give --collector-image (with --yes) for the debug and node vantages, then run the dry run again.');
});

test('inside a run, --debug is never suggested (the runner already printed the error); a bug hint says how to report it instead', () => {
  for (const hint of DEBUG_HINTS) {
    for (const dryRun of [true, false]) {
      const out = stepHint(hint, { dryRun });
      assert.ok(out === null || !out.includes('--debug'), `${hint} -> ${out}`);
    }
  }
  assert.equal(stepHint('Rerun with --debug for details.', { dryRun: false }), null);
  assert.match(stepHint('This is likely a bug in kustody; rerun with --debug and report it.', { dryRun: false }) ?? '', /report it with this output and the custody log/);
  assert.equal(stepHint('Grant the role in deploy/rbac.yaml. Rerun with --debug for details.', { dryRun: true }), 'Grant the role in deploy/rbac.yaml.');
});

test('a stopped dry run is told to run again, a stopped real run to resume', () => {
  assert.doesNotMatch(stoppedHint('failed', { dryRun: true, stepId: 'capture' }), /--resume|--debug/);
  assert.doesNotMatch(stoppedHint('interrupted', { dryRun: true, stepId: 'capture' }), /--resume|--debug/);
  assert.match(stoppedHint('failed', { dryRun: false, stepId: 'capture' }), /--resume/);
  assert.match(stoppedHint('interrupted', { dryRun: false, stepId: 'capture' }), /^Step capture was interrupted; .*--resume/);
});

test('a wait line names what, elapsed and the timeout (none when there is no limit)', () => {
  assert.equal(waitMessage('TokenReview to reject 2 token(s)', 12.7, 90), 'waiting for TokenReview to reject 2 token(s): 12 s elapsed, timeout 90 s');
  assert.equal(waitMessage('x', -1, null), 'waiting for x: 0 s elapsed');
});

test('a step wait is reported when it begins, then on a poll only once 5 s have passed since the last report', () => {
  let now = 1000;
  const events: string[] = [];
  const wait = startWait((e) => events.push(`${e.message}|${e.wait.elapsedSeconds}`), trusted('the pod to be gone'), 90, () => now);
  now += 4999;
  wait.poll();
  now += 1;
  wait.poll();
  now += 3000;
  wait.poll(trusted('the pod to be really gone'));
  now += 2000;
  wait.poll();
  assert.deepEqual(events, [
    'waiting for the pod to be gone: 0 s elapsed, timeout 90 s|0',
    'waiting for the pod to be gone: 5 s elapsed, timeout 90 s|5',
    'waiting for the pod to be really gone: 10 s elapsed, timeout 90 s|10',
  ]);
});
