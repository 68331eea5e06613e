/**
 * The start screen's exercise replay (x) with the real replay runner and no cluster: the shipped
 * scenarios are listed, one is replayed from its recording into a new case with progress shown, and the
 * score and after-action summary are the ones `kustody exercise score` computes from that case.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readScoreInput } from '../../src/adapters/exercise/score-input.js';
import { scoreExercise } from '../../src/core/exercise/score.js';
import { listShippedScenarios, replayShipped } from '../../src/runner/exercise/replay-shipped.js';
import { ResponderApp } from '../../src/ui/ResponderApp.js';
import type { ResponderPorts } from '../../src/ui/ports.js';
import { makeTempDir } from '../helpers/cli.js';
import { fakePorts } from './fake-ports.js';
import { KEYS, renderUi, unmountAll } from './render-helpers.js';

afterEach(() => unmountAll());

const SIZE = { columns: 120, rows: 40 };
const UNREACHABLE = { kind: 'unreachable', reason: 'no kubeconfig', nextStep: 'start the lab' } as const;

/** The UI's ports with no cluster, and the real replay runner writing cases under `caseParent` at `minuteSeconds` a scenario minute. */
function replayPorts(caseParent: string, minuteSeconds: number): ResponderPorts {
  return {
    ...fakePorts({ cluster: UNREACHABLE }).ports,
    listScenarios: async () => listShippedScenarios(),
    replayScenario: (scenarioId, progress, signal) => replayShipped({ scenarioId, caseParent, minuteSeconds, signal, progress }),
  };
}

test('with no cluster, x on the start screen lists the shipped scenarios; Enter replays one from its recording with progress, then shows the score and after-action summary the case scores to', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const ui = renderUi(<ResponderApp ports={replayPorts(dir, 0.05)} readOnly={false} size={SIZE} />);
  await ui.waitFor((f) => f.includes('x  replay a tabletop exercise from a recorded lab run (no cluster needed)'), 'the offer on the unreachable start screen');
  await ui.press('x');
  const pick = await ui.waitFor((f) => f.includes('planted-persistence'), 'the scenario list');
  for (const id of ['token-theft', 'cryptominer', 'reverse-shell-exfil', 'planted-persistence']) assert.match(pick, new RegExp(id));
  await ui.press(KEYS.down);
  const chosen = await ui.waitFor((f) => /› planted-persistence/.test(f), 'planted-persistence chosen');
  assert.match(chosen, /plant a backdoor ServiceAccount/);
  await ui.press(KEYS.enter);
  const done = await ui.waitFor((f) => f.includes('After-action report') && f.includes('e browse the replay'), 'the summary');
  assert.match(done, /Replay finished/);
  assert.match(done, /minute \d+(\.\d+)?: attacker cronjob: ok/, 'the progress shows the attacker\'s actions');
  const cases = readdirSync(dir);
  assert.equal(cases.length, 1);
  const card = scoreExercise(readScoreInput(join(dir, cases[0] ?? '')));
  assert.match(done, new RegExp(`Score ${card.total} of ${card.max} · objectives met ${card.objectivesMet} of ${card.objectives} · replay: changes simulated`));
  assert.match(done, /✓ Revoke the backdoor ServiceAccount too and prove it dead/, 'the recorded lab team revoked the backdoor by name');
  assert.match(done, /✓ Find the CronJob the attacker planted \(\+20\)/);
  await ui.press(KEYS.escape);
  await ui.waitFor((f) => f.includes('Tabletop exercise replay'), 'back on the list');
  ui.unmount();
});

test('Esc during a replay stops it at once: the replay ends interrupted and its case is scored from what was recorded', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  // Ten seconds a scenario minute: without the stop this replay would run for minutes.
  const ui = renderUi(<ResponderApp ports={replayPorts(dir, 10)} readOnly={false} size={SIZE} />);
  await ui.waitFor((f) => f.includes('No cluster reachable'));
  await ui.press('x');
  await ui.waitFor((f) => f.includes('token-theft'), 'the scenario list');
  await ui.press(KEYS.down, KEYS.down, KEYS.down);
  await ui.waitFor((f) => f.includes('› token-theft'), 'token-theft chosen');
  await ui.press(KEYS.enter);
  await ui.waitFor((f) => f.includes('attacker steal-token') || f.includes('Replaying'), 'the replay under way');
  await ui.waitFor((f) => f.includes('Esc stop the replay'), 'the stop key');
  await ui.press(KEYS.escape);
  const done = await ui.waitFor((f) => f.includes('Replay interrupted'), 'the interrupted replay', 20_000);
  assert.match(done, /Score -?\d+ of \d+/);
  ui.unmount();
});
