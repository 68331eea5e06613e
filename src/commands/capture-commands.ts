/** `kustody capture local`: capture a process tree on this machine into a case. */
import { join } from 'node:path';
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { fingerprintSecret } from '../core/credentials/fingerprint.js';
import { UsageError } from '../core/errors.js';
import { redactEnviron } from '../core/credentials/redact-environ.js';
import { memoizeEnvRedactor, readLocalCredentials } from '../adapters/collect/local-credentials.js';
import { readLocalProcesses, type LocalSelector } from '../adapters/collect/local-proc-reader.js';
import { CASE_DB_FILE, readCaseKey, resolveCaseDir } from '../adapters/store/case-store.js';
import { openWritableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity, utcNow } from '../adapters/system/responder-env.js';
import { runCapture, type CaptureSummary } from '../runner/run-capture.js';
import type { Vantage } from '../runner/capture-pod.js';
import { defaultCaseParent, type Command } from './command.js';
import { KUBE_OPTIONS } from './kube-options.js';
import { collectorImageOption } from './collector-options.js';

/** `kustody capture local --pid PID | --container-id ID --case CASE`. */
export const captureLocal: Command = {
  path: ['capture', 'local'],
  usage: 'kustody capture local (--pid PID | --container-id ID) --case CASE [--json]',
  summary: 'capture processes, connections, mounts and credentials on this machine',
  help: [
    'Reads /proc for the process tree below PID (or every process of a container id) and stores, in',
    'this order: connections, processes, mounts, credentials. Needs root to read other users\' processes.',
    'Command lines and environments are stored with secret-looking values replaced by keyed fingerprints.',
    'Credential files (the default ServiceAccount token, files named by AWS_WEB_IDENTITY_TOKEN_FILE and the like)',
    'are read inside each process root without following links out of it, and stored as fingerprints and claims only.',
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
        redactEnv: memoizeEnvRedactor((_pid, entries) => redactEnviron(entries, { caseKey: key })),
        extraSteps: [{ name: 'credentials', run: async (raw) => {
          const found = readLocalCredentials(raw, { caseKey: key, now: new Date(utcNow()) });
          return { rows: { credentials: found.rows }, warnings: found.warnings };
        } }],
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
  if (summary.status === 'partial') lines.push(trusted('  Finished steps are stored; rerun the capture to try the rest.'));
  if (summary.status === 'failed') lines.push(trusted('  No process was captured. Check that the target exists (ps -p PID, kubectl get pod) and rerun the capture.'));
  return lines;
}

/** `kustody capture pod NAMESPACE/POD --case CASE [--container C] [--via auto|exec|debug|node]`. */
export const capturePodCommand: Command = {
  path: ['capture', 'pod'],
  usage: 'kustody capture pod NAMESPACE/POD --case CASE [--container C] [--via auto|exec|debug|node] [--collector-image IMAGE@sha256:DIGEST [--collector-pull-policy P]] [--collector-namespace NS] [--yes] [--json]',
  summary: 'capture a pod: connections, processes, mounts, tokens, Kubernetes objects, logs',
  help: [
    'Vantages, in the order --via auto tries them (each skip is recorded with its reason):',
    '  exec   the collector runs in the suspect container with its own sh/base64 (no footprint; its tools are untrusted)',
    '  debug  an ephemeral container from --collector-image shares the pod\'s PID namespace (permanent on the pod; needs --yes)',
    '  node   a privileged hostPID pod from --collector-image on the pod\'s node, in kustody\'s namespace (--collector-namespace,',
    '         default kustody-system, created on first use), guarded against everyone but you, bounded by a deadline,',
    '         deleted afterwards and read back (needs --yes); `kustody cleanup --case C` removes anything left behind',
    'Pin --collector-image by digest (NAME@sha256:...); an unpinned image is recorded as such.',
    'Tokens and secrets are stored as keyed fingerprints and claims only. Logs are capped at --max-log-bytes (default 4 MiB).',
    'Cluster flags (as kubectl): --kubeconfig FILE, --context NAME, --cluster NAME, --user NAME, -n NAMESPACE (then POD alone is enough), --allow-exec-plugin.',
  ].join('\n'),
  options: {
    ...KUBE_OPTIONS, case: { type: 'string' }, container: { type: 'string' }, via: { type: 'string' }, 'collector-image': { type: 'string' },
    yes: { type: 'boolean' }, 'collector-pull-policy': { type: 'string' }, 'collector-namespace': { type: 'string' }, 'timeout-seconds': { type: 'string' }, 'max-log-bytes': { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    if (typeof args.values.case !== 'string') throw new UsageError('capture needs --case CASE.', 'Open one with `kustody case new` and pass its folder.');
    const via = typeof args.values.via === 'string' ? args.values.via : 'auto';
    if (via !== 'auto' && !['exec', 'debug', 'node'].includes(via)) throw new UsageError(`--via must be auto, exec, debug or node, not ${JSON.stringify(via.slice(0, 20))}.`);
    const caseDir = resolveCaseDir(args.values.case, defaultCaseParent(env));
    // Loaded here, not at the top: `capture local` should not pay for the cluster client.
    const [{ connectFromFlags, podTargetFor }, { capturePod }, { openCaseSession, changePorts }] = await Promise.all([import('./kube-connect.js'), import('../runner/capture-pod.js'), import('../runner/change-session.js')]);
    const kube = await connectFromFlags(args.values, env);
    const { namespace, pod } = podTargetFor(args.positionals[0] ?? '', kube, args.values);
    const session = await openCaseSession(caseDir, kube);
    const key = session.caseKey;
    try {
      const result = await capturePod(kube, {
        namespace, pod, container: typeof args.values.container === 'string' ? args.values.container : undefined,
        via: via as Vantage | 'auto', collectorImage: collectorImageOption(args.values, env),
        allowFootprint: args.values.yes === true,
        timeoutMs: 1000 * positiveInt(args.values['timeout-seconds'], 120, '--timeout-seconds'),
        maxOutputBytes: 256 * 1024 * 1024,
        maxLogBytes: positiveInt(args.values['max-log-bytes'], 4 * 1024 * 1024, '--max-log-bytes'),
        collectorNamespace: collectorNamespace(args.values['collector-namespace']),
      }, {
        db: session.db, actor: session.actor, now: utcNow, caseKey: key, fingerprint: (value) => fingerprintSecret(key, value),
        footprint: { ports: changePorts(kube, session, args.values.yes === true), caseId: session.caseId, responderUser: session.kubeUser },
      });
      const { liveTokens, ...printable } = result;
      if (json) io.out(toSafeJson({ ...printable, live_tokens: liveTokens.map((t) => t.fingerprint) }));
      else {
        for (const line of describeCapture(result)) io.out(line);
        for (const line of result.vantageLog) io.out(display`  vantage ${escapeUntrusted(line)}`);
        for (const item of result.footprint) io.out(display`  footprint: ${escapeUntrusted(JSON.stringify(item))}`);
      }
      return result.status === 'complete' ? 0 : 1;
    } finally {
      session.close();
    }
  },
};

function collectorNamespace(value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) throw new UsageError('--collector-namespace must be a namespace name.');
  return value;
}

function positiveInt(value: string | boolean | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value)) throw new UsageError(`${flag} must be a positive whole number.`);
  return Number(value);
}

