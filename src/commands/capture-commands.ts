/** `kustody capture local`: capture a process tree on this machine into a case. */
import { join } from 'node:path';
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { fingerprintSecret } from '../core/credentials/fingerprint.js';
import { UsageError } from '../core/errors.js';
import { readLocalProcesses, type LocalSelector } from '../adapters/collect/local-proc-reader.js';
import { CASE_DB_FILE, readCaseKey, resolveCaseDir } from '../adapters/store/case-store.js';
import { openWritableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity, utcNow } from '../adapters/system/responder-env.js';
import { runCapture, type CaptureSummary } from '../runner/run-capture.js';
import { defaultCaseParent, type Command } from './command.js';

/** `kustody capture local --pid PID | --container-id ID --case CASE`. */
export const captureLocal: Command = {
  path: ['capture', 'local'],
  usage: 'kustody capture local (--pid PID | --container-id ID) --case CASE [--json]',
  summary: 'capture processes, connections and mounts on this machine',
  help: [
    'Reads /proc for the process tree below PID (or every process of a container id) and stores, in',
    'this order: connections, processes, mounts. Needs root to read other users\' processes.',
    'Command lines are stored with secret-looking values replaced by keyed fingerprints; environments are not stored raw.',
  ].join('\n'),
  options: { pid: { type: 'string' }, 'container-id': { type: 'string' }, case: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(args, { io, json, env }) {
    const selector = localSelector(args.values);
    if (typeof args.values.case !== 'string') throw new UsageError('capture needs --case CASE.', 'Open one with `kustody case new` and pass its folder.');
    const caseDir = resolveCaseDir(args.values.case, defaultCaseParent(env));
    const key = readCaseKey(caseDir);
    const db = openWritableDb(join(caseDir, CASE_DB_FILE));
    try {
      const who = readResponderIdentity();
      const target = 'pid' in selector ? `pid:${selector.pid}` : `container:${selector.containerId}`;
      const summary = await runCapture(async () => readLocalProcesses(selector), { target, vantage: 'local', detail: { host: who.host, ...selector } }, {
        db,
        actor: `${who.osUser}@${who.host}`,
        now: utcNow,
        fingerprint: (value) => fingerprintSecret(key, value),
      });
      if (json) io.out(toSafeJson(summary));
      else for (const line of describeCapture(summary)) io.out(line);
      return summary.status === 'complete' ? 0 : 1;
    } finally {
      db.close();
    }
  },
};

function localSelector(values: Record<string, string | boolean | undefined>): LocalSelector {
  const pid = values.pid;
  const containerId = values['container-id'];
  if (typeof pid === 'string' && typeof containerId === 'string') throw new UsageError('Pass --pid or --container-id, not both.');
  if (typeof pid === 'string') {
    if (!/^[1-9][0-9]{0,9}$/.test(pid)) throw new UsageError(`--pid must be a process id, got ${JSON.stringify(pid.slice(0, 40))}.`);
    return { pid: Number(pid) };
  }
  if (typeof containerId === 'string') {
    if (!/^[0-9a-f]{64}$/.test(containerId)) throw new UsageError('--container-id must be the 64-hex-digit container id.', 'Find it with `crictl ps --no-trunc` or in the pod\'s status.containerStatuses[].containerID.');
    return { containerId };
  }
  throw new UsageError('capture local needs --pid PID or --container-id ID.');
}

/** Renders a capture summary as terminal lines. */
export function describeCapture(summary: CaptureSummary): DisplayText[] {
  const lines: DisplayText[] = [
    display`Capture ${escapeUntrusted(summary.captureId)} of ${escapeUntrusted(summary.target)} via ${escapeUntrusted(summary.vantage)}: ${escapeUntrusted(summary.status)}`,
  ];
  for (const [table, count] of Object.entries(summary.counts)) lines.push(display`  ${escapeUntrusted(table.padEnd(12))}${count} rows`);
  if (summary.warnings > 0) lines.push(display`  ${summary.warnings} warnings (see the capture_warnings table)`);
  if (summary.unfinished.length > 0) lines.push(display`  did not finish: ${escapeUntrusted(summary.unfinished.join(', '))}`);
  for (const note of summary.notes) lines.push(display`  note: ${escapeUntrusted(note)}`);
  if (summary.status !== 'complete') lines.push(trusted('  Finished steps are stored; rerun the capture to try the rest.'));
  return lines;
}
