/** `kustody run PLAYBOOK`: a playbook, headless: one progress line per step (or JSON lines), resumable, Ctrl-C safe. */
import { statSync } from 'node:fs';
import { looksLikeJwt } from '../core/credentials/jwt-claims.js';
import { KustodyError, UsageError } from '../core/errors.js';
import { MAX_TOKEN_FILE_BYTES, TOKEN_FILE_ROLE, readRegularFile } from '../adapters/system/input-path.js';
import { resolveCaseDir } from '../adapters/store/case-store.js';
import { loadValidPlaybook, startPlaybookRun } from '../runner/start-playbook-run.js';
import { sweepSince } from '../core/sweep/since.js';
import { headlessPrinter } from './run-progress.js';
import { defaultCaseParent, type Command } from './command.js';
import { KUBE_OPTIONS } from './kube-options.js';
import { collectorImageOption, netcutImageOption } from './collector-options.js';
import { connectFromFlags, podTargetFor } from './kube-connect.js';

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** `kustody run PLAYBOOK --target NAMESPACE/POD --case CASE [...]`. */
export const runPlaybookCommand: Command = {
  path: ['run', ''],
  usage: 'kustody run PLAYBOOK [--target NAMESPACE/POD] --case CASE [--dry-run] [--yes] [--resume] [--token-file F] [--audit-log FILE]… [--since TIME] [--collector-image IMAGE] [--sign-key KEY.pem] [--bundle FILE.tar] [--json]',
  summary: 'run a playbook (plan → preview → confirm → apply → verify → record), resumable after a crash',
  help: [
    'PLAYBOOK is a shipped id (kustody playbook list) or a path to a playbook file.',
    'Each step is recorded in the case before it acts and when it ends; one line per step is printed (JSON lines with --json).',
    '  --dry-run   contain and revoke steps only plan and pass the API server\'s dry run: nothing in the cluster changes',
    '  --yes       apply contain and revoke steps; without it the run stops before the first one and says how to continue',
    '  --resume    continue the last run of this playbook against this pod: done steps are skipped, changes already in effect',
    '              are recognised by reading the cluster and never sent twice, interrupted observe steps run again',
    '  --token-file F   a leaked token (memory only; its fingerprint and claims are recorded); names the pod when --target is left out',
    '  --audit-log FILE   the API server audit log (repeat for rotated files; default $KUSTODY_AUDIT_LOG) the audit step ingests',
    '  --since TIME       the incident start (ISO time, or 30m/6h/2d ago) sweep steps look back to; default the leaked',
    '                     token\'s issue time, else the step\'s window',
    '  --collector-image IMAGE [--collector-pull-policy P]   allows the debug and node capture vantages (with --yes)',
    '  --sign-key KEY.pem  sign the exported bundle;  --bundle FILE.tar  where export writes it (default: in the case folder)',
    'Ctrl-C lets the change in flight finish, records the step as interrupted and exits 130; a second Ctrl-C stops at once.',
    'Exit codes: 0 completed or dry run, 1 a step failed or needs confirmation, 2 bad usage, 130 interrupted.',
    'Cluster flags: --kubeconfig FILE, --context NAME, --allow-exec-plugin. Command steps get KUBECONFIG, KUSTODY_CONTEXT, PATH and HOME only; a `kubectl` step also gets --context=<kustody\'s context>.',
  ].join('\n'),
  options: {
    ...KUBE_OPTIONS, target: { type: 'string' }, case: { type: 'string' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' }, resume: { type: 'boolean' },
    'token-file': { type: 'string', multiple: true }, 'collector-image': { type: 'string' }, 'collector-pull-policy': { type: 'string' },
    'sign-key': { type: 'string' }, bundle: { type: 'string' }, 'audit-log': { type: 'string', multiple: true }, since: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const v = args.values;
    // The playbook is checked first: a broken one is refused before the case or the cluster is touched.
    loadValidPlaybook(args.positionals[0] ?? '');
    if (typeof v.case !== 'string') throw new UsageError('run needs --case CASE: every step is recorded in a case.', 'Open one with `kustody case new` and pass its folder.');
    const tokens = ((v['token-file'] ?? []) as unknown as string[]).map(readToken);
    const auditLogs = auditLogFiles(v['audit-log'] as unknown as string[] | undefined, env);
    const incidentStart = v.since === undefined ? undefined : sweepSince(v.since, new Date());
    const caseDir = resolveCaseDir(v.case, defaultCaseParent(env));
    const kube = await connectFromFlags(v, env);
    const target = typeof v.target === 'string' ? podTargetFor(v.target, kube, v) : null;
    const kubeconfig = typeof v.kubeconfig === 'string' ? v.kubeconfig : env.KUBECONFIG;
    const controller = new AbortController();
    const onSigint = () => {
      // The first Ctrl-C stops at the next safe point; removing the handler lets a second one end the process at once (resumable like a crash).
      process.off('SIGINT', onSigint);
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const printer = headlessPrinter(io, json);
    try {
      const summary = await startPlaybookRun({
        playbook: args.positionals[0] ?? '', target, caseDir, kube, dryRun: v['dry-run'] === true, resume: v.resume === true, tokens,
        collectorImage: collectorImageOption(v, env), netcutImage: netcutImageOption(v, env), allowFootprint: v.yes === true, signKey: typeof v['sign-key'] === 'string' ? v['sign-key'] : undefined,
        bundlePath: typeof v.bundle === 'string' ? v.bundle : undefined, auditLogs, incidentStart, commandEnv: kubeconfig === undefined ? {} : { KUBECONFIG: kubeconfig },
      }, { confirm: async () => v.yes === true, emit: printer, signal: controller.signal });
      if (summary.status === 'interrupted') {
        // An interrupted observe step may leave a read (an exec stream) running; it holds nothing the case needs.
        setTimeout(() => process.exit(EXIT_INTERRUPTED), 2000).unref();
        return EXIT_INTERRUPTED;
      }
      return summary.status === 'completed' || summary.status === 'dry-run' ? 0 : 1;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

/** The audit logs to ingest: --audit-log, else $KUSTODY_AUDIT_LOG; each must be a file that exists (checked before the case is touched). */
function auditLogFiles(given: string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  const files = given !== undefined && given.length > 0 ? given : env.KUSTODY_AUDIT_LOG ? [env.KUSTODY_AUDIT_LOG] : [];
  for (const file of files) {
    let regular = false;
    try {
      regular = statSync(file).isFile();
    } catch {
      regular = false;
    }
    if (!regular) throw new UsageError(`The audit log ${file} is not a readable file.`, 'Pass the API server\'s --audit-log-path file with --audit-log, or leave it out (the audit step is then skipped).');
  }
  return files;
}

function readToken(file: string): { text: string; source: string } {
  let text: string;
  try {
    text = readRegularFile(file, MAX_TOKEN_FILE_BYTES, TOKEN_FILE_ROLE).toString('utf8');
  } catch (error) {
    if (error instanceof KustodyError && error.code !== 'INPUT_UNREADABLE') throw error;
    throw new UsageError(`--token-file ${file} cannot be read.`);
  }
  if (!looksLikeJwt(text.trim())) throw new UsageError(`--token-file ${file} does not hold a JWT (a Kubernetes token is three base64url parts joined by dots).`);
  return { text, source: file };
}

