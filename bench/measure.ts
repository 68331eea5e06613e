/** Runs a command under GNU time and returns its wall time and peak memory, for the benchmarks. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Wall-clock seconds and peak resident memory of one command run. */
export interface Measurement {
  seconds: number;
  /** User plus system CPU seconds: less sensitive than wall time to other load on a shared machine. */
  cpuSeconds: number;
  peakMiB: number;
  stdout: string;
}

/** Runs `argv` to completion under /usr/bin/time and reports seconds and peak RSS (`quiet` drops its stderr). */
export function measure(argv: readonly string[], options: { cwd?: string; quiet?: boolean; env?: NodeJS.ProcessEnv } = {}): Measurement {
  const dir = mkdtempSync(join(tmpdir(), 'kustody-bench-time-'));
  const report = join(dir, 'time.txt');
  try {
    const stdout = execFileSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', report, ...argv], { cwd: options.cwd, env: options.env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', options.quiet === true ? 'ignore' : 'inherit'] });
    const [seconds = 'NaN', kib = 'NaN', user = 'NaN', system = 'NaN'] = readFileSync(report, 'utf8').trim().split('\n').pop()?.split(' ') ?? [];
    return { seconds: Number(seconds), cpuSeconds: Number(user) + Number(system), peakMiB: Number(kib) / 1024, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Formats bytes per second as MiB/s. */
export function mibPerSecond(bytes: number, seconds: number): string {
  return `${(bytes / 1024 / 1024 / seconds).toFixed(0)} MiB/s`;
}
