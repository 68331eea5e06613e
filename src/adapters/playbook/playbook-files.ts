/** Finds and reads playbook files: the shipped ones by id (playbooks/<id>.yaml in the package), or any file by path. */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readSync, constants } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnreadableInputError } from '../../core/errors.js';
import { parsePlaybook, type ParseResult } from '../../core/playbook/parse-playbook.js';
import { openRegularFile } from '../system/input-path.js';

/** The folder of the playbooks shipped with kustody (the same relative place from src/ and dist/). */
export const SHIPPED_PLAYBOOK_DIR = fileURLToPath(new URL('../../../playbooks/', import.meta.url));

const MAX_PLAYBOOK_BYTES = 256 * 1024;
const PLAYBOOK_ROLE = { what: 'playbook', nextStep: 'Pass a playbook .yaml file, or a shipped playbook id (`kustody playbook list`).' };

/** A playbook file read and checked: its path, its SHA-256, and the parse result. */
export interface LoadedPlaybook extends ParseResult {
  path: string;
  sha256: string;
}

/** The shipped playbook files, sorted by name. */
export function shippedPlaybookFiles(dir: string = SHIPPED_PLAYBOOK_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.yaml')).map((e) => join(dir, e.name)).sort();
}

/** Whether `ref` names a file (has a slash or a .yaml/.yml suffix) rather than a shipped playbook id. */
export function isPlaybookPath(ref: string): boolean {
  return ref.includes('/') || /\.ya?ml$/.test(ref);
}

/** Reads and checks a playbook given by shipped id or by path; a shipped file's id must match its file name. */
export function loadPlaybook(ref: string, dir: string = SHIPPED_PLAYBOOK_DIR): LoadedPlaybook {
  const path = isPlaybookPath(ref) ? resolve(ref) : join(dir, `${ref}.yaml`);
  if (!isPlaybookPath(ref) && !/^[a-z][a-z0-9-]{0,62}$/.test(ref)) throw new UnreadableInputError('NO_SUCH_PLAYBOOK', `${JSON.stringify(ref.slice(0, 80))} is not a playbook id.`, 'List the shipped ones with `kustody playbook list`, or pass a path to a .yaml file.');
  const text = readSmallFile(path, ref);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const shipped = resolve(dir) === resolve(path, '..');
  const parsed = parsePlaybook(text, shipped ? `playbooks/${basename(path)}` : ref);
  const shippedName = basename(path, '.yaml');
  if (parsed.playbook !== null && shipped && parsed.playbook.id !== shippedName) {
    return { path, sha256, playbook: null, problems: [{ file: `playbooks/${basename(path)}`, line: 1, column: 1, message: `The playbook id "${parsed.playbook.id}" must match its file name (${shippedName}).` }] };
  }
  return { ...parsed, path, sha256 };
}

function readSmallFile(path: string, ref: string): string {
  let fd: number;
  try {
    fd = openRegularFile(path, PLAYBOOK_ROLE).fd;
  } catch (error) {
    if (error instanceof UnreadableInputError && error.code === 'INPUT_NOT_REGULAR_FILE') throw error;
    throw new UnreadableInputError('NO_SUCH_PLAYBOOK', `No playbook ${JSON.stringify(ref.slice(0, 200))} (looked for ${path}).`, 'List the shipped ones with `kustody playbook list`, or pass a path to a .yaml file.');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_PLAYBOOK_BYTES) throw new UnreadableInputError('BAD_PLAYBOOK_FILE', `${path} is not a regular file of at most ${MAX_PLAYBOOK_BYTES / 1024} KiB.`, 'Pass a playbook .yaml file.');
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    const text = buffer.subarray(0, read).toString('utf8');
    if (text.includes('\uFFFD')) throw new UnreadableInputError('BAD_PLAYBOOK_FILE', `${path} is not valid UTF-8.`, 'Save the playbook as UTF-8 text.');
    return text;
  } finally {
    closeSync(fd);
  }
}
