/**
 * Creates a folder and its missing parents one component at a time, each new one 0700, and fails at
 * once, as bad input (exit 2), where a folder cannot be made: /proc and /sys refuse mkdir (Node's
 * recursive mkdir retries such a path forever), a component may be a file or a device, a file system
 * may be read-only. It never retries.
 */
import { mkdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { KustodyError } from '../../core/errors.js';
import { describeFileType } from './input-path.js';

/** Makes `path` (and missing parents) a folder, or throws a KustodyError naming the component that cannot be one. */
export function makeDirs(path: string, purpose: string): void {
  const target = resolve(path);
  let current: string = sep;
  for (const part of target.split(sep).filter((p) => p.length > 0)) {
    current = join(current, part);
    const existing = statOrUndefined(current, target, purpose);
    if (existing?.isDirectory() === true) continue;
    if (existing !== undefined) throw cannotMake(target, purpose, `${current} is ${describeFileType(existing)}`);
    try {
      mkdirSync(current, { mode: 0o700 });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unknown error';
      if (code !== 'EEXIST') throw cannotMake(target, purpose, `creating ${current} failed (${code})`, error);
    }
    // Pseudo file systems can accept a mkdir without a folder appearing: check rather than trust it.
    if (statOrUndefined(current, target, purpose)?.isDirectory() !== true) throw cannotMake(target, purpose, `${current} did not become a folder`);
  }
}

function statOrUndefined(path: string, target: string, purpose: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return undefined;
    throw cannotMake(target, purpose, `${path} cannot be examined (${code ?? 'unknown error'})`, error);
  }
}

function cannotMake(target: string, purpose: string, reason: string, cause?: unknown): KustodyError {
  return new KustodyError('DIR_UNUSABLE', `${target} cannot hold ${purpose}: ${reason}.`, {
    kind: 'usage',
    nextStep: 'Pass a folder on a local, writable disk (for example --dir ~/kustody-cases).',
    cause,
  });
}
