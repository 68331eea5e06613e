// The headless printer (a renderer) driven by runner events and a hand-turned clock: the plan before
// the steps, a start line, and "still running" lines that repeat the current wait only while a step is quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trusted, type DisplayText } from '../../src/core/display/index.js';
import { headlessPrinter, type PrinterClock } from '../../src/commands/run-progress.js';
import type { PlanStepView } from '../../src/runner/playbook-events.js';

function harness() {
  const out: string[] = [];
  let now = 0;
  let tick: (() => void) | null = null;
  const clock: PrinterClock = { now: () => now, every: (_ms, fn) => { tick = fn; return { stop: () => { tick = null; } }; } };
  const printer = headlessPrinter({ out: (l: DisplayText) => out.push(l), err: () => undefined }, false, clock);
  const advance = (ms: number) => { now += ms; tick?.(); };
  return { out, printer, advance, ticking: () => tick !== null };
}

const step = (id: string, danger: PlanStepView['danger'], title: string): PlanStepView => ({ id, title, why: '', action: danger === 'observe' ? 'capture' : 'revoke', danger, confirm: danger !== 'observe', needs: [], verify: null, undo: null, does: [trusted('does things')], state: 'pending' });

test('the plan is printed with every step before any step line, then a start line, then quiet waits are repeated with elapsed and timeout', () => {
  const { out, printer, advance, ticking } = harness();
  printer({ type: 'plan', runId: 'run-1', playbook: { id: 'pb', title: 'PB', description: '' }, target: 'ns/pod', caseId: 'case-1', dryRun: false, resumed: false, steps: [step('capture', 'observe', 'Capture'), step('revoke', 'revoke', 'Revoke')] });
  printer({ type: 'step-start', stepId: 'revoke', index: 1, total: 2, at: '2026-12-07T00:00:00.000Z' });
  advance(4000);
  printer({ type: 'progress', stepId: 'revoke', message: trusted('waiting for TokenReview: 0 s elapsed, timeout 90 s'), wait: { what: trusted('TokenReview'), elapsedSeconds: 0, timeoutSeconds: 90 } });
  advance(4000);
  advance(3000);
  advance(5000);
  printer({ type: 'step-done', stepId: 'revoke', outcome: 'done', summary: [trusted('ok')], elapsedMs: 16000 });
  assert.equal(ticking(), false, 'the heartbeat stops with the step');
  assert.deepEqual(out, [
    'Running pb against ns/pod (case case-1, run-1)',
    'Plan (2 steps):',
    '  1. capture        observe  Capture',
    '        does things',
    '  2. revoke         revoke   Revoke  (asks for confirmation (--yes))',
    '        does things',
    '[2/2] revoke         started: Revoke',
    '[2/2] revoke         waiting for TokenReview: 0 s elapsed, timeout 90 s',
    '[2/2] revoke         still running (11 s): waiting for TokenReview: 7 s elapsed, timeout 90 s',
    '[2/2] revoke         still running (16 s): waiting for TokenReview: 12 s elapsed, timeout 90 s',
    '[2/2] revoke         done           16.0 s  ok',
  ]);
});

test('a quiet step with no declared wait is still reported, with its last message', () => {
  const { out, printer, advance } = harness();
  printer({ type: 'plan', runId: 'run-1', playbook: { id: 'pb', title: 'PB', description: '' }, target: 'ns/pod', caseId: 'case-1', dryRun: true, resumed: false, steps: [step('isolate', 'contain', 'Isolate')] });
  printer({ type: 'step-start', stepId: 'isolate', index: 0, total: 1, at: '2026-12-07T00:00:00.000Z' });
  printer({ type: 'progress', stepId: 'isolate', message: trusted('Re-reading the pod\'s connections.') });
  advance(5000);
  assert.equal(out.at(-1), '[1/1] isolate        still running (5 s); last: Re-reading the pod\'s connections.');
});
