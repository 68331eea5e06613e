/**
 * Replays a shipped scenario from its recorded lab run into a new case, with no cluster, for the
 * terminal UI: the recorded lab team's moves play on an accelerated scenario clock (the same runner as
 * `kustody exercise replay`), then the exercise is scored and summed up with its after-action report.
 */
import { existsSync } from 'node:fs';
import { buildAfterAction } from '../../core/exercise/after-action.js';
import { replaySummary, type ReplayOutcome, type ScenarioChoice } from '../../core/exercise/replay-summary.js';
import { scoreExercise } from '../../core/exercise/score.js';
import { UsageError } from '../../core/errors.js';
import { loadRecording, recordingPathFor } from '../../adapters/exercise/recording-files.js';
import { loadScenario, shippedScenarioFiles } from '../../adapters/exercise/scenario-files.js';
import { readScoreInput } from '../../adapters/exercise/score-input.js';
import { createCase } from '../../adapters/store/case-store.js';
import { readResponderIdentity, utcNow } from '../../adapters/system/responder-env.js';
import { TOOL_NAME, TOOL_VERSION } from '../../version.js';
import { runReplay } from './run-replay.js';

/** The shipped scenarios that validate and have a recording to replay. */
export function listShippedScenarios(): ScenarioChoice[] {
  return shippedScenarioFiles().flatMap((file) => {
    const loaded = loadScenario(file);
    if (loaded.scenario === null || !existsSync(recordingPathFor(loaded.path, loaded.scenario.id))) return [];
    const s = loaded.scenario;
    return [{ id: s.id, title: s.title, summary: s.summary, durationMinutes: s.durationMinutes }];
  });
}

/** Replays `scenarioId` into a new case under `caseParent` (`minuteSeconds` a scenario minute) and returns its scored summary. */
export async function replayShipped(input: { scenarioId: string; caseParent: string; minuteSeconds: number; signal: AbortSignal; progress: (line: string) => void}): Promise<ReplayOutcome> {
  const loaded = loadScenario(input.scenarioId);
  if (loaded.scenario === null) throw new UsageError(`Scenario ${input.scenarioId} is not valid.`, `Check it: kustody exercise validate ${input.scenarioId}`);
  const scenario = loaded.scenario;
  const { recording, sha256 } = loadRecording(recordingPathFor(loaded.path, scenario.id), scenario);
  const created = createCase({ parentDir: input.caseParent, title: `exercise replay: ${scenario.id}`, now: utcNow(), toolName: TOOL_NAME, toolVersion: TOOL_VERSION, ...readResponderIdentity() });
  created.db.close();
  input.progress(`Case ${created.path}; replaying the lab run of ${recording.recorded_at} at ${input.minuteSeconds} s a scenario minute, no cluster contacted.`);
  const result = await runReplay({
    caseDir: created.path, scenario, scenarioSha256: loaded.sha256, recording, recordingSha256: sha256, moves: recording.response,
    minuteSeconds: input.minuteSeconds, signal: input.signal, progress: input.progress,
  });
  const scoreInput = readScoreInput(created.path);
  const card = scoreExercise(scoreInput);
  return { caseDir: created.path, status: result.status, summary: replaySummary(card, buildAfterAction(scoreInput, card), created.path) };
}
