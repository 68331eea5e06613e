/** Recordings are read as hostile input: the wrong scenario, oversized lists and unknown moves are refused, and nothing named like a secret survives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadScenario } from '../../src/adapters/exercise/scenario-files.js';
import { parseRecording, RecordingError, shortFacts } from '../../src/core/exercise/recording.js';
import { parseMoves } from '../../src/core/exercise/replay-moves.js';

const scenario = (() => {
  const loaded = loadScenario('token-theft');
  if (loaded.scenario === null) throw new Error('token-theft does not validate');
  return loaded.scenario;
})();
const shipped = () => JSON.parse(readFileSync(new URL('../../exercises/recordings/token-theft.json', import.meta.url), 'utf8')) as Record<string, unknown>;

test('a recording keeps only short scalar facts of an event: keys named like tokens, secrets, passwords or data are dropped, long strings cut', () => {
  const facts = shortFacts({ token: 'eyJhbGciOi', secret_value: 'x', password: 'p', data: { a: 1 }, status: 403, error: 'e'.repeat(2000), nested: { token: 'x' }, 'Bad-Key': 'x' });
  assert.deepEqual(Object.keys(facts).sort(), ['error', 'status']);
  assert.equal(String(facts.error).length, 500);
  const forged = shipped();
  (forged.events as Array<Record<string, unknown>>)[0] = { minute: 1, kind: 'attacker-action', name: 'steal-token', outcome: 'ok', detail: { token: 'eyJ-stolen', jwt: 'eyJ', bearer_key: 'k' } };
  assert.deepEqual(parseRecording(forged, scenario).events[0]?.detail, {});
});

test('a recording of another scenario, with an unknown move, a minute out of range or too many events is refused with the reason', () => {
  const cases: Array<[string, (r: Record<string, unknown>) => void, RegExp]> = [
    ['other scenario', (r) => { r.scenario_id = 'cryptominer'; }, /records scenario "cryptominer", not token-theft/],
    ['unknown move', (r) => { (r.response as unknown[]).push({ minute: 9, move: 'rm-rf', pod: 'web' }); }, /response\[4\] is not a known move/],
    ['minute', (r) => { (r.events as Array<Record<string, unknown>>)[1]!.minute = -1; }, /events\[1\]\.minute must be a minute/],
    ['too many', (r) => { r.events = Array.from({ length: 501 }, () => ({ minute: 1, kind: 'inject', name: 'x', outcome: 'fired' })); }, /too long/],
    ['format', (r) => { r.format = 'something-else'; }, /not a kustody-exercise-recording\/1 file/],
  ];
  for (const [what, change, message] of cases) {
    const r = shipped();
    change(r);
    assert.throws(() => parseRecording(r, scenario), (e: unknown) => e instanceof RecordingError && message.test(e.message), what);
  }
});

test('moves parse with pods and minutes, default one minute apart, and refuse unknown moves, a sweep with a pod, a pod name with a slash and moves out of order', () => {
  assert.deepEqual(parseMoves('capture:web,isolate:web@2.5,sweep'), [{ minute: 1, move: 'capture', pod: 'web' }, { minute: 2.5, move: 'isolate', pod: 'web' }, { minute: 3.5, move: 'sweep', pod: null }]);
  for (const bad of ['explode:web', 'sweep:web', 'capture:../etc', 'capture', 'capture:web@5,isolate:web@4', '']) assert.throws(() => parseMoves(bad), /--moves/, bad);
});
