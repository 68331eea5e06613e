/** Finds and reads exercise scenario files: the shipped packs by id (exercises/<id>.yaml), or any file by path. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnreadableInputError } from '../../core/errors.js';
import { parseScenario, type ScenarioParseResult } from '../../core/exercise/scenario.js';
import { readRegularFile } from '../system/input-path.js';
import { SHIPPED_PLAYBOOK_DIR, shippedPlaybookFiles } from '../playbook/playbook-files.js';

/** The folder of the scenario packs shipped with kustody (the same relative place from src/ and dist/). */
export const SHIPPED_SCENARIO_DIR = fileURLToPath(new URL('../../../exercises/', import.meta.url));

const MAX_SCENARIO_BYTES = 256 * 1024;
const SCENARIO_ROLE = { what: 'scenario', nextStep: 'Pass a scenario .yaml file, or a shipped scenario id (`kustody exercise list`).' };

/** A scenario file read and checked: its path, its SHA-256, and the parse result. */
export interface LoadedScenario extends ScenarioParseResult {
  path: string;
  sha256: string;
}

/** The shipped scenario files, sorted by name. */
export function shippedScenarioFiles(dir: string = SHIPPED_SCENARIO_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.yaml')).map((e) => join(dir, e.name)).sort();
}

/** Whether `ref` names a file (has a slash or a .yaml/.yml suffix) rather than a shipped scenario id. */
export function isScenarioPath(ref: string): boolean {
  return ref.includes('/') || /\.ya?ml$/.test(ref);
}

/**
 * Reads and checks a scenario given by shipped id or by path: a shipped file's id must match its file
 * name, and the expected playbook must be a shipped one.
 */
export function loadScenario(ref: string, dir: string = SHIPPED_SCENARIO_DIR): LoadedScenario {
  if (!isScenarioPath(ref) && !/^[a-z][a-z0-9-]{0,62}$/.test(ref)) throw new UnreadableInputError('NO_SUCH_SCENARIO', `${JSON.stringify(ref.slice(0, 80))} is not a scenario id.`, 'List the shipped ones with `kustody exercise list`, or pass a path to a .yaml file.');
  const path = isScenarioPath(ref) ? resolve(ref) : join(dir, `${ref}.yaml`);
  if (!existsSync(path)) throw new UnreadableInputError('NO_SUCH_SCENARIO', `No scenario ${JSON.stringify(ref.slice(0, 200))} (looked for ${path}).`, 'List the shipped ones with `kustody exercise list`, or pass a path to a .yaml file.');
  const bytes = readRegularFile(path, MAX_SCENARIO_BYTES, SCENARIO_ROLE);
  const text = bytes.toString('utf8');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const shipped = resolve(dir) === resolve(path, '..');
  const file = shipped ? `exercises/${basename(path)}` : ref;
  if (text.includes('\uFFFD')) return { path, sha256, scenario: null, problems: [{ file, line: 1, column: 1, message: 'The file is not valid UTF-8; save it as UTF-8 text.' }] };
  const parsed = parseScenario(text, file);
  if (parsed.scenario === null) return { ...parsed, path, sha256 };
  const problems = [];
  const shippedName = basename(path, '.yaml');
  if (shipped && parsed.scenario.id !== shippedName) problems.push({ file, line: 1, column: 1, message: `The scenario id "${parsed.scenario.id}" must match its file name (${shippedName}).` });
  const playbooks = shippedPlaybookFiles(SHIPPED_PLAYBOOK_DIR).map((p) => basename(p, '.yaml'));
  if (!playbooks.includes(parsed.scenario.expectedPlaybook)) {
    problems.push({ file, line: lineOf(text, 'expected_playbook:'), column: 1, message: `expected_playbook "${parsed.scenario.expectedPlaybook}" is not a shipped playbook (${playbooks.join(', ')}).` });
  }
  return problems.length > 0 ? { path, sha256, scenario: null, problems } : { ...parsed, path, sha256 };
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.startsWith(needle));
  return index < 0 ? 1 : index + 1;
}
