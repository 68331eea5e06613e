import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/adapters/exercise/scenario-files.js';
import type { Scenario } from '../../src/core/exercise/scenario-types.js';
import { scoreExercise, type ScoreCustodyRow } from '../../src/core/exercise/score.js';
import { watchLines } from '../../src/core/exercise/watch-lines.js';
import { buildWatchView, type WatchCustody, type WatchEventRow, type WatchInput } from '../../src/core/exercise/watch-view.js';
import { ALL_HOSTILE, HUGE } from '../helpers/hostile-case.js';

const loaded = loadScenario('token-theft');
if (loaded.scenario === null) throw new Error('the shipped token-theft scenario does not validate');
const scenario: Scenario = loaded.scenario;
const NS = 'kx-watch';
const at = (minute: number, second = 0) => new Date(Date.parse('2026-12-07T07:00:00.000Z') + minute * 60_000 + second * 1000).toISOString();
const exercise = { id: 1, scenario_id: 'token-theft', namespace: NS, started_at: at(0), stopped_at: null, minute_seconds: 60 };
const ev = (seq: number, minute: number, kind: string, name: string, outcome: string, detail: Record<string, unknown> = {}): WatchEventRow => ({ seq, at: at(minute, seq), kind, name, outcome, detail });
const row = (seq: number, minute: number, kind: string, target: string, outcome: string, detail: Record<string, unknown>): ScoreCustodyRow => ({ seq, at: at(minute, seq), actor: 'player@lab', kind, target, outcome, detail });

const custodyRows: ScoreCustodyRow[] = [
  row(2, 3, 'observe', `pod:${NS}/web`, 'complete', { step: 'capture-end', capture_id: 'c1', status: 'complete' }),
  row(3, 5, 'contain', `NetworkPolicy ${NS}/kustody-quarantine-web`, 'applied', { plan: 'isolate', plan_target: `pod:${NS}/web`, change_id: 'deny-all-policy' }),
  row(4, 6, 'check', 'run-1/checklist', 'ticked', { run_id: 'run-1', step_id: 'checklist', item: 1, text: 'Tell the owner', note: null }),
  row(5, 7, 'revoke', `Pod ${NS}/web`, 'applied', { plan: 'revoke', plan_target: `pod:${NS}/web`, change_id: 'delete-pod', change: { action: 'delete', target: { kind: 'Pod', namespace: NS, name: 'web' } } }),
  row(6, 8, 'revoke', `pod:${NS}/web`, 'revoked', { step: 'verify-tokens', checks: [{ subject: `system:serviceaccount:${NS}:web`, outcome: 'revoked' }] }),
  row(7, 8, 'note', 'case', 'ok', { text: 'the token is dead' }),
];
const custody = (rows: ScoreCustodyRow[], partial: string | null = null): WatchCustody => ({
  kept: rows, total: rows.length + 1, partial,
  recent: [{ seq: 1, at: at(0), actor: 'player@lab', kind: 'case-open', target: 'case', outcome: 'ok' }, ...rows.map(({ detail: _d, ...r }) => r)],
});
const events: WatchEventRow[] = [
  ev(1, 1, 'attacker-action', 'list-secrets', 'ok', { description: 'The attacker lists Secrets.' }),
  ev(2, 1, 'attacker-action', 'probe-cluster', 'refused', { description: 'A cluster-wide list.', status: 403 }),
  ev(3, 4, 'inject', 'gateway-alert', 'fired', { message: `gateway alert in ${NS}`, trigger: { minute: 4 } }),
  ev(4, 5, 'hint', 'who', 'given', { cost: 5 }),
];
const input = (over: Partial<WatchInput> = {}): WatchInput => ({ exercise, scenario, events, custody: custody(custodyRows), findings: 2, now: at(9, 30), attackerRunning: true, ...over });

test('the watch view shows each inject fired (and how), requested, due at minute N or waiting for its event', () => {
  const view = buildWatchView(input());
  assert.equal(view.minute, 9);
  const [alert, reading] = view.injects;
  assert.deepEqual([alert?.state, alert?.trigger, alert?.message], ['fired', 'at minute 4', `gateway alert in ${NS}`]);
  assert.deepEqual([reading?.state, reading?.dueIn, reading?.hasAction], ['due', 0, true], 'the team isolated the pod, so the event inject is due');
  const early = buildWatchView(input({ events: [], custody: custody([]), now: at(1, 30) }));
  assert.deepEqual(early.injects.map((i) => [i.id, i.state, i.dueIn]), [['gateway-alert', 'due', 3], ['still-reading', 'waiting', null]]);
  const requested = buildWatchView(input({ events: [...events, ev(9, 9, 'inject', 'still-reading', 'requested', { by: 'facilitator' })] }));
  assert.equal(requested.injects[1]?.state, 'requested');
  const byHand = buildWatchView(input({ events: [...events, ev(9, 9, 'inject', 'still-reading', 'fired', { message: 'm', trigger: { by: 'facilitator' } })] }));
  assert.deepEqual([byHand.injects[1]?.state, byHand.injects[1]?.trigger], ['fired', 'by the facilitator']);
  assert.match(watchLines(early).map((l) => l.text).join('\n'), /2\. still-reading +on pod-isolated +waiting: the team has not caused pod-isolated yet/);
});

test('the watch view marks the attacker\'s refused calls and counts what the team found and did from the custody log', () => {
  const view = buildWatchView(input());
  assert.deepEqual(view.attacker.map((a) => [a.name, a.refused]), [['list-secrets', false], ['probe-cluster', true]]);
  assert.deepEqual([view.attackerActions, view.attackerRefused], [2, 1]);
  const t = view.team;
  assert.deepEqual(t.captures, [`${NS}/web`]);
  assert.deepEqual(t.isolated, [`${NS}/web`]);
  assert.deepEqual(t.podsDeleted, [`${NS}/web`]);
  assert.deepEqual(t.provenDead, [`system:serviceaccount:${NS}:web`]);
  assert.deepEqual([t.revocations, t.checklistTicks, t.notes, t.findings, t.rows], [1, 1, 1, 2, 7]);
  assert.deepEqual(t.events.map((e) => e.event), ['capture-completed', 'pod-isolated', 'pod-deleted', 'identity-revoked']);
  assert.ok(!t.recent.some((r) => r.kind === 'case-open'), 'bookkeeping rows are not listed as team actions');
  const text = watchLines(view).map((l) => l.text).join('\n');
  assert.match(text, /REFUSED +probe-cluster/);
  assert.match(text, /Hints \(1 of 3 given, -5 points\)/);
});

test('the running score is the score module\'s on the same rows, and is withheld when the custody log was only partly read', () => {
  const view = buildWatchView(input());
  const card = scoreExercise({ scenario, exercise: { id: 1, namespace: NS, startedAt: at(0), stoppedAt: null, minuteSeconds: 60 }, custody: custodyRows, events });
  assert.deepEqual(view.score, { total: card.total, max: card.max, objectivesMet: card.objectivesMet, objectives: card.objectives, provisional: true });
  assert.ok(card.total > 0);
  const partial = buildWatchView(input({ custody: custody(custodyRows, 'the custody log holds more than 1 bytes') }));
  assert.equal(partial.score, null);
  assert.match(watchLines(partial).map((l) => l.text).join('\n'), /partial: the custody log holds more than 1 bytes[\s\S]*/);
});

test('hostile inject messages, attacker action names, descriptions, custody targets and hint texts reach the lines escaped and bounded', () => {
  const hostile = `line one\nsecond line\r\u0007 ${ALL_HOSTILE}`;
  const evil: Scenario = { ...scenario, title: hostile, hints: scenario.hints.map((h) => ({ ...h, id: `${h.id}\x1b[2J` })), injects: scenario.injects.map((i) => ({ ...i, id: `${i.id}\u202e`, message: hostile })) };
  const hostileEvents = [
    ev(1, 1, 'attacker-action', 'steal\x1b]0;pwned\x07', 'ok', { description: hostile }),
    ev(5, 1, 'attacker-action', `huge${HUGE}`, 'ok', { description: hostile }),
    ev(2, 1, 'attacker-action', hostile, 'refused', { description: HUGE }),
    ev(3, 4, 'inject', `gateway-alert\u202e`, 'fired', { message: hostile, trigger: { by: 'facilitator' } }),
    ev(4, 5, 'hint', `who\x1b[2J`, 'given', { cost: 5 }),
  ];
  const rows = [row(2, 3, 'note', `case ${hostile}`, `ok\x1b[31m`, { text: HUGE })];
  const view = buildWatchView(input({ scenario: evil, events: hostileEvents, custody: { ...custody(rows), recent: [{ seq: 2, at: `${at(3)}\x1b[2J`, actor: hostile, kind: 'note\x1b', target: HUGE, outcome: hostile }] }, exercise: { ...exercise, namespace: `kx\x1b[2J` } }));
  const lines = watchLines(view).map((l) => l.text);
  for (const line of lines) {
    assert.doesNotMatch(line, /[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]/u, `raw control or bidi character in ${JSON.stringify(line.slice(0, 120))}`);
    assert.ok(!line.includes('\n'), 'one line stays one line');
    assert.ok(line.length < 2000, `a line is bounded (${line.length} characters)`);
  }
  const all = lines.join('\n');
  assert.match(all, /\\x1b\]0;pwned\\x07/, 'the attacker action name is shown escaped');
  assert.match(all, /\\u\{202e\}/, 'the bidi override in the inject id is shown escaped');
  assert.match(all, /second line\\x0d/, 'the line break inside the message is escaped');
  assert.ok(all.includes('<script>'), 'markup is shown as text (a terminal does not interpret it)');
});
