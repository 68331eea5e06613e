/** `kustody isolate` and `kustody release`: quarantine a suspect pod, and undo exactly that from the custody log. */
import { display, escapeUntrusted, toSafeJson } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { applyPlan } from '../runner/apply-plan.js';
import { checkIsolation, planIsolate, planReleaseFromCase, type SurvivorCheck } from '../runner/run-isolate.js';
import { planCut, runCut, type CutOutcome } from '../runner/run-cut-connections.js';
import { describeCutPlan, describeCutResult } from '../runner/describe-cut.js';
import { applyAndPrint, changePorts, describePlan, describeResult, exitCodeFor, openChangeSession } from './change-support.js';
import type { Command } from './command.js';
import { netcutImageOption } from './collector-options.js';
import { KUBE_OPTIONS } from './kube-options.js';
import { connectFromFlags, podTargetFor } from './kube-connect.js';

const CHANGE_OPTIONS = { ...KUBE_OPTIONS, case: { type: 'string' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' } } as const;

/** `kustody isolate NAMESPACE/POD --case CASE [--detach] [--cordon] [--guard] [--cut-connections --collector-image IMAGE] [--dry-run] [--yes] [--json]`. */
export const isolateCommand: Command = {
  path: ['isolate', ''],
  usage: 'kustody isolate NAMESPACE/POD --case CASE [--detach] [--cordon] [--guard] [--cut-connections --collector-image IMAGE [--collector-pull-policy P]] [--dry-run] [--yes] [--json]',
  summary: 'quarantine a pod: case label + deny-all NetworkPolicy (optionally detach, cordon, guard)',
  help: [
    'Plans, previews (server-side dry run), and with --yes applies, reads back and records:',
    '  a quarantine label unique to the case and a deny-all ingress+egress NetworkPolicy selecting it;',
    '  --detach  remove the labels its controller and Services select it by (a healthy replacement starts; the suspect keeps running);',
    '  --cordon  mark its node unschedulable;',
    '  --guard   first, a ValidatingAdmissionPolicy refusing to everyone but you: label, kustody annotation and spec changes,',
    '            exec, attach, port-forward, proxy, ephemeral containers, resize, eviction and delete of the pod (matched by uid,',
    '            or by name for exec/attach/port-forward/proxy/eviction), changes to its quarantine policy, and NetworkPolicies',
    '            with allow rules selecting it. It cannot stop node-level actors, you, or whoever may delete admission policies;',
    '  --cut-connections  then cut every connection that survived the policy (NetworkPolicy leaves established flows open on',
    '            many CNIs): a short-lived privileged hostPID pod from --collector-image (BusyBox, ss, conntrack) in the',
    '            kustody-system namespace on the pod\'s node destroys those sockets (ss -K) and their conntrack flows, re-reads,',
    '            and proves none remains while the pod\'s processes still run. Not undoable. The dry run shows the node pod and',
    '            the connections the case\'s last capture saw, and creates nothing.',
    'Then it lists what can still reach the pod: other policies selecting it, hostNetwork, and connections still open.',
    'Running it again changes nothing that is already in effect. `kustody release` undoes it.',
  ].join('\n'),
  options: { ...CHANGE_OPTIONS, detach: { type: 'boolean' }, cordon: { type: 'boolean' }, guard: { type: 'boolean' }, 'cut-connections': { type: 'boolean' }, 'collector-image': { type: 'string' }, 'collector-pull-policy': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const caseArg = requireCase(args.values.case);
    const kube = await connectFromFlags(args.values, env);
    const { namespace, pod } = podTargetFor(args.positionals[0] ?? '', kube, args.values);
    const session = await openChangeSession(caseArg, kube, env);
    try {
      const plan = await planIsolate(kube, session, { namespace, pod }, { detach: args.values.detach === true, cordon: args.values.cordon === true, guard: args.values.guard === true });
      const dryRun = args.values['dry-run'] === true;
      if (!json) for (const line of describePlan(plan)) io.out(line);
      const result = await applyPlan(plan, changePorts(kube, session, args.values.yes === true), { dryRun });
      const isolated = result.status === 'applied' || result.status === 'nothing-to-do';
      // The cut runs only once the deny-all policy is in force, so what is cut cannot reconnect.
      let cut: CutOutcome | null = null;
      if (args.values['cut-connections'] === true && (isolated || result.status === 'dry-run')) {
        cut = await runCut(kube, session, await planCut(kube, session, { namespace, pod }, netcutImageOption(args.values, env)), { dryRun, confirm: async () => args.values.yes === true });
      }
      let survivors: SurvivorCheck = { established: [], error: null };
      if (isolated) survivors = await checkIsolation(kube, session, { namespace, pod });
      if (json) io.out(toSafeJson({ plan: plan.kind, target: plan.target, status: result.status, changes: result.changes, report: plan.report, cut, surviving_connections: survivors }));
      else {
        for (const line of describeResult(result, dryRun)) io.out(line);
        if (cut !== null) for (const line of [...describeCutPlan(cut), ...describeCutResult(cut)]) io.out(line);
        if (survivors.error !== null) io.out(display`  could not re-read connections: ${escapeUntrusted(survivors.error)}`);
        for (const c of survivors.established) {
          io.out(display`  ISOLATION_INCOMPLETE: ${escapeUntrusted(`${c.local_addr}:${c.local_port} -> ${c.remote_addr}:${c.remote_port}`)} still open (pid ${c.pid ?? 0}); new connections are blocked, this one is not. Consider deleting the pod once captured.`);
        }
      }
      const cutFailed = cut !== null && !['dry-run', 'cut', 'nothing-to-cut'].includes(cut.status);
      return cutFailed ? 1 : exitCodeFor(result);
    } finally {
      session.close();
    }
  },
};

/** `kustody release NAMESPACE/POD --case CASE [--dry-run] [--yes] [--json]`. */
export const releaseCommand: Command = {
  path: ['release', ''],
  usage: 'kustody release NAMESPACE/POD --case CASE [--dry-run] [--yes] [--json]',
  summary: 'undo exactly what isolate did to a pod, from the custody log',
  help: 'Reads the case\'s custody log, and reverts in reverse order each isolation change started on this pod (applied, or cut off before it was recorded: the cluster is read to tell): labels restored, policies and guards deleted (only if they still carry this case), node uncordoned. Works after the pod is gone, and when a new pod has taken its name (its labels are left alone; the guard and policy are still removed).',
  options: CHANGE_OPTIONS,
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const caseArg = requireCase(args.values.case);
    const kube = await connectFromFlags(args.values, env);
    const { namespace, pod } = podTargetFor(args.positionals[0] ?? '', kube, args.values);
    const session = await openChangeSession(caseArg, kube, env, { replays: 'release from this case (its undo records would be replayed)' });
    try {
      const plan = await planReleaseFromCase(kube, session, { namespace, pod });
      return await applyAndPrint(plan, kube, session, io, { json, yes: args.values.yes === true, dryRun: args.values['dry-run'] === true });
    } finally {
      session.close();
    }
  },
};

function requireCase(value: string | boolean | undefined): string {
  if (typeof value !== 'string') throw new UsageError('This command needs --case CASE: every change is recorded in a case.', 'Open one with `kustody case new` and pass its folder.');
  return value;
}
