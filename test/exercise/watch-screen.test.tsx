import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/adapters/exercise/scenario-files.js';
import { display, escapeUntrusted, trusted } from '../../src/core/display/index.js';
import { buildWatchView, type WatchEventRow } from '../../src/core/exercise/watch-view.js';
import { ExerciseWatch } from '../../src/ui/screens/ExerciseWatch.js';
import { KEYS, renderUi, unmountAll } from '../ui/render-helpers.js';

const loaded = loadScenario('token-theft');
if (loaded.scenario === null) throw new Error('the shipped token-theft scenario does not validate');
const scenario = { ...loaded.scenario, injects: loaded.scenario.injects.map((i) => (i.id === 'still-reading' ? { ...i, message: 'read again \x1b[31mred\x1b]0;title\x07' } : i)) };
const exercise = { id: 1, scenario_id: 'token-theft', namespace: 'kx-1', started_at: '2026-12-07T07:00:00.000Z', stopped_at: null, minute_seconds: 60 };
const size = { columns: 140, rows: 60 };

/** A screen over a log the test appends to, as the facilitator's actions would. */
function harness() {
  const events: WatchEventRow[] = [
    { seq: 1, at: '2026-12-07T07:01:00.000Z', kind: 'attacker-action', name: 'probe\x1b[2Jcluster', outcome: 'refused', detail: { description: 'cluster-wide list' } },
  ];
  const fired: string[] = [];
  const given: string[] = [];
  const load = () => buildWatchView({ exercise, scenario, events: [...events], custody: { kept: [], recent: [], total: 0, partial: null }, findings: 0, now: '2026-12-07T07:02:30.000Z', attackerRunning: true });
  const fireInject = (id: string) => {
    fired.push(id);
    events.push({ seq: events.length + 1, at: '2026-12-07T07:02:40.000Z', kind: 'inject', name: id, outcome: 'requested', detail: { by: 'facilitator' } });
    return display`Inject ${escapeUntrusted(id)} recorded`;
  };
  const giveHint = (id: string) => {
    const next = scenario.hints.find((h) => h.id === id);
    if (next === undefined) return trusted('No such hint.');
    given.push(next.id);
    events.push({ seq: events.length + 1, at: '2026-12-07T07:02:50.000Z', kind: 'hint', name: next.id, outcome: 'given', detail: { cost: next.cost } });
    return display`Hint ${escapeUntrusted(next.id)} given`;
  };
  return { fired, given, ui: renderUi(<ExerciseWatch load={load} fireInject={fireInject} giveHint={giveHint} size={size} refreshMs={60_000} />) };
}

test('the watch screen shows the timeline escaped, asks before firing an inject, fires it on y and shows it requested', async (t) => {
  t.after(unmountAll);
  const { ui, fired } = harness();
  const frame = await ui.waitFor((f) => f.includes('still-reading'), 'the inject list');
  assert.match(frame, /1\. gateway-alert +minute 4 +due in 2 min/);
  assert.match(frame, /REFUSED +probe\\x1b\[2Jcluster/);
  assert.ok(!ui.rawFrame().includes('\x1b[31mred') && !ui.rawFrame().includes('\x1b]0;'), 'control sequences from the scenario are escaped');
  await ui.press('2');
  const asked = await ui.waitFor((f) => f.includes('Fire inject 2 (still-reading) now, with its attacker action?'), 'the confirmation');
  assert.match(asked, /read again \\x1b\[31mred/);
  assert.deepEqual(fired, [], 'nothing is fired before the answer');
  await ui.press('y');
  await ui.waitFor((f) => f.includes('Inject still-reading recorded') && /2\. still-reading .*requested/.test(f), 'the inject requested');
  assert.deepEqual(fired, ['still-reading']);
  await ui.press('2');
  await ui.waitFor((f) => f.includes('is already requested; an inject fires once'), 'a second press refused');
  assert.deepEqual(fired, ['still-reading']);
});

test('the watch screen asks before giving a hint, cancels on n or Esc without recording, and gives it on y', async (t) => {
  t.after(unmountAll);
  const { ui, given } = harness();
  await ui.waitFor((f) => f.includes('Hints (0 of 3 given'), 'the hints');
  await ui.press('h');
  await ui.waitFor((f) => f.includes('Give hint who now (-5 points)?'), 'the hint question');
  await ui.press('n');
  await ui.waitFor((f) => f.includes('Cancelled; nothing recorded.'), 'the cancel');
  await ui.press('1');
  await ui.waitFor((f) => f.includes('Fire inject 1 (gateway-alert) now?'), 'the inject question');
  await ui.press(KEYS.escape);
  await ui.waitFor((f) => f.includes('Cancelled; nothing recorded.') && !f.includes('Fire inject'), 'Esc cancels');
  assert.deepEqual(given, []);
  await ui.press('h');
  await ui.waitFor((f) => f.includes('Give hint who now'), 'the hint question again');
  await ui.press('y');
  await ui.waitFor((f) => f.includes('Hint who given') && f.includes('Hints (1 of 3 given, -5 points)'), 'the hint given');
  assert.deepEqual(given, ['who']);
  await ui.press('9');
  assert.ok(!ui.frame().includes('Fire inject 9'), 'a number without an inject asks nothing');
});
