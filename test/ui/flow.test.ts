/** The responder flow reducer: keys to effects, the typed confirmation rules, Ctrl-C, resume; pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trusted } from '../../src/core/display/index.js';
import { podEntry } from '../../src/core/ui/pod-list.js';
import type { KeyPress, UiCommand } from '../../src/core/ui/ui-command.js';
import type { PlaybookEvent } from '../../src/runner/playbook-events.js';
import type { VantageOffers } from '../../src/core/ui/vantage-offer.js';
import { initialFlow, reduceFlow, type FlowState } from '../../src/ui/state/flow.js';
import { PLAYBOOK, READY } from './fake-ports.js';

const nav = (c: UiCommand): KeyPress => ({ nav: c, text: null });
const text = (c: UiCommand): KeyPress => ({ nav: null, text: c });
const key = (s: FlowState, press: KeyPress) => reduceFlow(s, { type: 'key', press, pageSize: 10 });
const event = (s: FlowState, e: PlaybookEvent) => reduceFlow(s, { type: 'run-event', event: e, at: 1000 });
const typed = (s: FlowState, t: string) => [...t].reduce((acc, ch) => key(acc, text({ kind: 'type', text: ch })), s);

function atConfirmation(): FlowState {
  let s = reduceFlow(reduceFlow(initialFlow(false), { type: 'cluster', status: READY }), { type: 'playbooks', list: [PLAYBOOK] });
  s = reduceFlow(s, { type: 'effects-taken', count: s.effects.length });
  s = key(s, nav({ kind: 'select' }));
  assert.deepEqual(s.effects, [{ kind: 'load-pods' }]);
  s = reduceFlow(s, { type: 'pods', entries: [podEntry({ metadata: { name: 'suspect', namespace: 'shop' } }, {})] });
  s = key(key(s, nav({ kind: 'select' })), nav({ kind: 'select' }));
  assert.equal(s.screen, 'run');
  assert.deepEqual(s.effects.at(-1), { kind: 'start-run', playbookId: 'compromised-pod', pod: 'shop/suspect', resume: false, cutConnections: false });
  s = reduceFlow(s, { type: 'effects-taken', count: s.effects.length });
  s = event(s, { type: 'plan', runId: 'r', playbook: { id: 'compromised-pod', title: 'Compromised pod', description: '' }, target: 'shop/suspect', caseId: 'c', dryRun: false, resumed: false, steps: [{ id: 'isolate', title: 'Isolate', why: 'w', action: 'isolate', danger: 'contain', confirm: true, needs: [], verify: null, undo: null, state: 'pending' }] });
  s = event(s, { type: 'step-start', stepId: 'isolate', index: 0, total: 1, at: 'x' });
  return event(s, { type: 'confirm', stepId: 'isolate', expect: 'shop/suspect' });
}

test('a mismatch is refused without an effect; Enter on the exact text answers true once and the step runs again', () => {
  let s = atConfirmation();
  s = key(typed(s, 'shop/suspec'), text({ kind: 'submit' }));
  assert.deepEqual(s.effects, []);
  assert.equal(s.run.confirm?.refused, 1);
  assert.equal(s.run.confirm?.typed, '');
  s = key(typed(s, 'shop/suspect'), text({ kind: 'submit' }));
  assert.deepEqual(s.effects, [{ kind: 'answer', ok: true }]);
  assert.equal(s.run.confirm, null);
  assert.equal(s.run.steps[0]?.status, 'running', 'back to the spinner while the change is applied');
  assert.deepEqual(key(s, text({ kind: 'submit' })).effects, [{ kind: 'answer', ok: true }], 'a second Enter answers nothing more');
});

test('control characters typed or pasted into the confirmation are dropped, not matched', () => {
  const s = key(typed(atConfirmation(), 'shop/\u001b[2Jsuspect'), text({ kind: 'submit' }));
  assert.deepEqual(s.effects, []);
});

test('Esc declines; Ctrl-C declines a pending confirmation and interrupts; a second Ctrl-C quits', () => {
  assert.deepEqual(key(atConfirmation(), text({ kind: 'cancel' })).effects, [{ kind: 'answer', ok: false }]);
  let s = key(atConfirmation(), text({ kind: 'interrupt' }));
  assert.deepEqual(s.effects, [{ kind: 'answer', ok: false }, { kind: 'interrupt' }]);
  assert.equal(s.run.interrupting, true);
  s = key(reduceFlow(s, { type: 'effects-taken', count: 2 }), nav({ kind: 'interrupt' }));
  assert.deepEqual(s.effects, [{ kind: 'quit' }]);
});

test('after an interrupted run, r resumes the same playbook and pod; e opens its case', () => {
  let s = atConfirmation();
  s = event(event(s, { type: 'interrupted', stepId: 'isolate' }), { type: 'finished', runId: 'r', status: 'interrupted', next: trusted('resume') });
  s = reduceFlow(s, { type: 'effects-taken', count: s.effects.length });
  assert.equal(s.run.steps[0]?.status, 'interrupted');
  assert.deepEqual(s.run.finishedOrder, ['isolate']);
  assert.deepEqual(key(s, nav({ kind: 'letter', key: 'r' })).effects, [{ kind: 'start-run', playbookId: 'compromised-pod', pod: 'shop/suspect', resume: true, cutConnections: false }]);
  assert.deepEqual(key(s, nav({ kind: 'letter', key: 'e' })).effects, [{ kind: 'open', target: { runCase: true } }]);
});

test('a read-only session declines any confirmation unseen', () => {
  let s = { ...atConfirmation(), readOnly: true };
  s = event({ ...s, run: { ...s.run, confirm: null } }, { type: 'confirm', stepId: 'isolate', expect: 'shop/suspect' });
  assert.equal(s.run.confirm, null);
  assert.deepEqual(s.effects, [{ kind: 'answer', ok: false }]);
});

test('c chooses the cut only when the start screen offers it, and the run it starts carries the choice', () => {
  const ready = (cut: boolean): FlowState => {
    const vantages: VantageOffers = { debug: { offered: false, reason: 'r' }, node: { offered: false, reason: 'r' }, cut: cut ? { offered: true, image: 'lab.local/netcut:1', source: 'KUSTODY_NETCUT_IMAGE' } : { offered: false, reason: 'no cut image configured' } };
    const s = reduceFlow(reduceFlow(initialFlow(false), { type: 'cluster', status: READY.kind === 'ready' ? { ...READY, vantages } : READY }), { type: 'playbooks', list: [PLAYBOOK] });
    return reduceFlow(s, { type: 'effects-taken', count: s.effects.length });
  };
  assert.equal(key(ready(false), nav({ kind: 'letter', key: 'c' })).cutConnections, false, 'not offered: c does nothing');
  let s = key(ready(true), nav({ kind: 'letter', key: 'c' }));
  assert.equal(s.cutConnections, true);
  assert.equal(key(s, nav({ kind: 'letter', key: 'c' })).cutConnections, false, 'c again unchooses it');
  s = key(s, nav({ kind: 'select' }));
  s = reduceFlow(s, { type: 'pods', entries: [podEntry({ metadata: { name: 'suspect', namespace: 'shop' } }, {})] });
  s = key(key(s, nav({ kind: 'select' })), nav({ kind: 'select' }));
  assert.deepEqual(s.effects.at(-1), { kind: 'start-run', playbookId: 'compromised-pod', pod: 'shop/suspect', resume: false, cutConnections: true });
});
