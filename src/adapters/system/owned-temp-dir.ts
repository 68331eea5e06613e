/**
 * Private (0700) temporary folders that do not outlive the command that made them: the caller removes
 * one when done (also on errors, in a `finally`), and kustody removes every one still present when the
 * process is stopped by SIGINT, SIGTERM or SIGHUP, or exits. Verify, review and export keep copies of
 * evidence (hundreds of MB) in them.
 *
 * On a signal nobody else in kustody listens to, the folders are removed and the signal is raised
 * again with the default action, so the process still ends as killed by it (exit 130, 143...). Where
 * another listener handles the signal (the playbook runner's Ctrl-C, the UI's SIGTERM), that listener
 * decides, and the folder goes when the interrupted operation unwinds or at exit. Node runs signal
 * listeners between tasks, so a long synchronous SQLite call delays the removal until it returns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary folder and the way to remove it. */
export interface OwnedTempDir {
  readonly path: string;
  /** Removes the folder and everything in it; safe to call twice. */
  remove(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const owned = new Set<string>();
let exitHookInstalled = false;

/** Creates a 0700 folder named `<prefix>XXXXXX` in `parent` (TMPDIR by default) that is removed on signals and exit. */
export function makeOwnedTempDir(prefix: string, parent: string = tmpdir()): OwnedTempDir {
  // Listeners first, so no signal can land between creating the folder and watching for it.
  watchSignals();
  const path = mkdtempSync(join(parent, prefix));
  owned.add(path);
  return {
    path,
    remove() {
      rmSync(path, { recursive: true, force: true });
      owned.delete(path);
      if (owned.size === 0) unwatchSignals();
    },
  };
}

function removeAll(): void {
  for (const path of owned) rmSync(path, { recursive: true, force: true });
  owned.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  removeAll();
  unwatchSignals();
  // No listener is left, so this ends the process with the signal's default action.
  process.kill(process.pid, signal);
}

function watchSignals(): void {
  if (!exitHookInstalled) {
    process.on('exit', removeAll);
    exitHookInstalled = true;
  }
  for (const signal of SIGNALS) if (!process.listeners(signal).includes(onSignal)) process.on(signal, onSignal);
}

function unwatchSignals(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
}
