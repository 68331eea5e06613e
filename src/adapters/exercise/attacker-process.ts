/**
 * The detached attacker process: started with kustody's own entry point, its PID and /proc start
 * time recorded, and stopped only when both still match (a reused PID is never signalled).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The start time of a process in clock ticks since boot (/proc/PID/stat field 22), or null when it is gone. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields after the last ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the process with this PID is still the one that was recorded (same start time). */
export function isSameProcess(pid: number, startTicks: string | null): boolean {
  const now = processStartTicks(pid);
  return now !== null && (startTicks === null || now === startTicks);
}

/** Starts `node <entry> …args` detached from the terminal, output discarded, and returns its PID and start time. */
export function spawnDetached(entry: string, args: readonly string[], env: NodeJS.ProcessEnv): { pid: number; startTicks: string | null } {
  const child = spawn(process.execPath, [entry, ...args], { detached: true, stdio: 'ignore', env });
  if (child.pid === undefined) throw new Error('the attacker process did not start');
  child.unref();
  return { pid: child.pid, startTicks: processStartTicks(child.pid) };
}

/** Stops the recorded process: SIGTERM, then SIGKILL after `graceMs`. Returns what happened. */
export async function stopProcess(pid: number, startTicks: string | null, graceMs = 5000): Promise<'not-running' | 'stopped' | 'killed'> {
  if (!isSameProcess(pid, startTicks)) return 'not-running';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'not-running';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isSameProcess(pid, startTicks) || isZombie(pid)) return 'stopped';
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  return 'killed';
}

/** Whether the process is a zombie (exited, not yet reaped by its parent), or gone. */
export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
