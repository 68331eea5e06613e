/** `kustody audit sweep` and `kustody audit restore`: find what the attacker left behind, remove it through the change runner, and undo that. */
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { KustodyError, UsageError } from '../core/errors.js';
import { attributionLine } from '../core/sweep/attributed-only.js';
import type { PersistenceItem } from '../core/sweep/types.js';
import { MAX_TOKEN_FILE_BYTES, TOKEN_FILE_ROLE, readRegularFile } from '../adapters/system/input-path.js';
import { applyPlan } from '../runner/apply-plan.js';
import { planRestoreFromCase, prepareSweep } from '../runner/run-sweep.js';
import { sweepIdentityOf, sweepNamespaces, sweepSince } from './sweep-options.js';
import { applyAndPrint, changePorts, describePlan, describeResult, exitCodeFor, openChangeSession } from './change-support.js';
import type { Command } from './command.js';
import { KUBE_OPTIONS, namespaceFlag } from './kube-options.js';
import { connectFromFlags } from './kube-connect.js';

/** `kustody audit sweep CASE [--since T] [-n NS | --namespaces A,B | --all-namespaces] [--identity USER] [--token-file F] [--dry-run] [--yes] [--json]`. */
export const auditSweep: Command = {
  path: ['audit', 'sweep'],
  usage: 'kustody audit sweep CASE [--since TIME] [-n NS | --namespaces A,B | --all-namespaces] [--identity USER]… [--token-file F]… [--include-unattributed] [--dry-run] [--yes] [--json]',
  summary: 'find persistence (CronJobs, workloads, bindings, webhooks…) made since a time or by the case\'s identities; remove it with --yes',
  help: [
    'Finds, in the namespaces given (default: those the case captured pods in) and cluster-wide where an object points into them:',
    '  objects created since --since (ISO time, or 30m/6h/2d ago; default 24h): CronJobs, Jobs, DaemonSets, Deployments (and',
    '  Deployments that rolled out new images), pods with hostPath/privileged/hostPID/hostNetwork/hostIPC, ServiceAccounts,',
    '  token Secrets (metadata only, where listing is allowed), RoleBindings, ClusterRoleBindings, admission webhooks and policies;',
    '  and, from the ingested audit log (kustody audit ingest), every object the case\'s identities created or changed: the tokens',
    '  the case captured, --identity USER, --token-file F, and every ServiceAccount those identities created.',
    'Every item is recorded in the case (its object captured, what could not be seen noted), and says whether the audit log shows',
    'an identity of the case creating it, with the audit_events rows. Only objects the audit log shows a case identity creating',
    'in the window, owned by nothing and not made by this case, are planned for deletion; the rest are reported for review.',
    '--include-unattributed also plans the deletion of objects found by creation time alone (no audit log, or none ties them to',
    'the case): a team\'s object of the same hour looks the same, so review the preview first. An object that was only changed is',
    'reported, never deleted. With --yes the plan is applied through the change runner: uid preconditions, read back, recorded.',
    '`kustody audit restore CASE` recreates what a sweep deleted (it needs create rights kustody\'s roles do not grant: run it',
    'as an administrator).',
  ].join('\n'),
  options: {
    ...KUBE_OPTIONS, since: { type: 'string' }, namespaces: { type: 'string' }, 'all-namespaces': { type: 'boolean' },
    identity: { type: 'string', multiple: true }, 'token-file': { type: 'string', multiple: true }, 'include-unattributed': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const since = sweepSince(args.values.since, new Date());
    const kube = await connectFromFlags(args.values, env);
    const session = await openChangeSession(args.positionals[0] ?? '', kube, env);
    try {
      const namespaces = sweepNamespaces(session.db, { one: namespaceFlag(args.values), list: args.values.namespaces, all: args.values['all-namespaces'] === true });
      const tokens = ((args.values['token-file'] ?? []) as unknown as string[]).map((file) => sweepIdentityOf(readTokenFile(file), file));
      const identities = [...((args.values.identity ?? []) as unknown as string[]), ...tokens.flatMap((t) => t.username ?? [])];
      const prepared = await prepareSweep(kube, session, { since, namespaces }, { usernames: identities, credentialIds: tokens.flatMap((t) => t.credentialId ?? []) }, { attributedOnly: args.values['include-unattributed'] !== true });
      const dryRun = args.values['dry-run'] === true;
      if (!json) {
        io.out(display`Sweep since ${escapeUntrusted(since)} in ${escapeUntrusted(namespaces === null ? 'all namespaces' : namespaces.join(', '))}; identities followed: ${escapeUntrusted(prepared.identities.join(', ') || 'none')}`);
        for (const line of describeItems(prepared.items)) io.out(line);
        for (const note of prepared.notes) io.out(display`  ? ${escapeUntrusted(note)}`);
        for (const line of describePlan(prepared.plan)) io.out(line);
      }
      const result = await applyPlan(prepared.plan, changePorts(kube, session, args.values.yes === true), { dryRun });
      if (json) {
        io.out(toSafeJson({
          capture_id: prepared.captureId, since, namespaces, identities: prepared.identities, audit_used: prepared.auditUsed, include_unattributed: args.values['include-unattributed'] === true, notes: prepared.notes,
          items: prepared.items.map(({ object: _object, ...rest }) => rest), plan: prepared.plan.kind, status: result.status, changes: result.changes, report: prepared.plan.report,
        }));
      } else for (const line of describeResult(result, dryRun)) io.out(line);
      return exitCodeFor(result);
    } finally {
      session.close();
    }
  },
};

/** `kustody audit restore CASE [--dry-run] [--yes] [--json]`. */
export const auditRestore: Command = {
  path: ['audit', 'restore'],
  usage: 'kustody audit restore CASE [--dry-run] [--yes] [--json]',
  summary: 'recreate what this case\'s sweeps deleted, from the copies saved in the case',
  help: 'Reads the custody log and recreates every object a sweep of this case deleted, as it was found (new uid, marked with the case). An object whose name was taken again since is left alone and reported. Secrets cannot be restored (kustody never reads them). Recreating workloads and bindings needs create rights (and, for bindings, the rights they grant) that kustody\'s roles do not hold: run it as an administrator.',
  options: { ...KUBE_OPTIONS, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const kube = await connectFromFlags(args.values, env);
    const session = await openChangeSession(args.positionals[0] ?? '', kube, env, { replays: 'restore from this case (its undo records would be replayed)' });
    try {
      const plan = await planRestoreFromCase(kube, session);
      return await applyAndPrint(plan, kube, session, io, { json, yes: args.values.yes === true, dryRun: args.values['dry-run'] === true });
    } finally {
      session.close();
    }
  },
};

function describeItems(items: readonly PersistenceItem[]): DisplayText[] {
  if (items.length === 0) return [display`  no persistence found`];
  return items.flatMap((i) => [
    display`  [${escapeUntrusted(i.severity)}] ${escapeUntrusted(i.kind)} ${escapeUntrusted(i.namespace ? `${i.namespace}/` : '')}${escapeUntrusted(i.name)} (${escapeUntrusted(i.source)}${i.removable ? trusted('') : trusted(', kept')})`,
    display`      ${escapeUntrusted(attributionLine(i))}`,
    ...i.reasons.map((r) => display`      ${escapeUntrusted(r)}`),
    ...(i.keptBecause ? [display`      kept: ${escapeUntrusted(i.keptBecause)}`] : []),
  ]);
}

function readTokenFile(file: string): string {
  try {
    return readRegularFile(file, MAX_TOKEN_FILE_BYTES, TOKEN_FILE_ROLE).toString('utf8');
  } catch (error) {
    if (error instanceof KustodyError && error.code !== 'INPUT_UNREADABLE') throw error;
    throw new UsageError(`--token-file ${file} cannot be read.`);
  }
}
