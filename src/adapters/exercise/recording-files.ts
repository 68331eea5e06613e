/** Finds, reads and writes exercise recordings: `recordings/<scenario id>.json` beside the scenario file (shipped or not). */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UnreadableInputError } from '../../core/errors.js';
import type { Scenario } from '../../core/exercise/scenario-types.js';
import { parseRecording, RecordingError, type Recording } from '../../core/exercise/recording.js';
import { readRegularFile } from '../system/input-path.js';

const MAX_RECORDING_BYTES = 1024 * 1024;
const RECORDING_ROLE = { what: 'exercise recording', nextStep: 'Pass a recording made by `kustody exercise record` (--recording FILE), or use a shipped scenario that has one.' };

/** Where the recording of a scenario loaded from `scenarioPath` lives. */
export function recordingPathFor(scenarioPath: string, scenarioId: string): string {
  return join(dirname(scenarioPath), 'recordings', `${scenarioId}.json`);
}

/** Reads and checks a recording file; its SHA-256 comes with it. */
export function loadRecording(path: string, scenario: Scenario): { recording: Recording; sha256: string } {
  if (!existsSync(path)) throw new UnreadableInputError('NO_RECORDING', `Scenario ${scenario.id} has no recording to replay (looked for ${path}).`, 'Record one from a lab run with `kustody exercise record CASE -o FILE`, then pass it with --recording FILE.');
  const bytes = readRegularFile(path, MAX_RECORDING_BYTES, RECORDING_ROLE);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new UnreadableInputError('BAD_RECORDING', `${path} is not JSON.`, RECORDING_ROLE.nextStep);
  }
  try {
    return { recording: parseRecording(value, scenario), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    if (error instanceof RecordingError) throw new UnreadableInputError('BAD_RECORDING', `${path} cannot be replayed: ${error.message}.`, RECORDING_ROLE.nextStep);
    throw error;
  }
}
