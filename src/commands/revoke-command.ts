/** `kustody revoke`: delete legacy tokens, quarantine RBAC, rotate the ServiceAccount, delete the pod, cut cloud sessions — then prove stolen tokens are dead. */
import { display, escapeUntrusted, toSafeJson, trusted } from '../core/display/index.js';
import { KustodyError, UsageError } from '../core/errors.js';
import { MAX_TOKEN_FILE_BYTES, TOKEN_FILE_ROLE, readRegularFile } from '../adapters/system/input-path.js';
import type { LiveTokenHandle } from '../core/credentials/live-token.js';
import { applyPlan } from '../runner/apply-plan.js';
import { leakedToken } from '../runner/live-tokens.js';
import { accountReplaced, prepareAccountRevocation, prepareRevocation, revocationVerifyPorts, revokeCloudIdentities, verifyRevocation, type RevocationVerdict } from '../runner/run-revoke.js';
import { reviewBefore } from '../runner/verify-revocation.js';
import { pausePoint } from '../runner/pause-points.js';
import { survivorsWarning } from '../core/sweep/attacker-identities.js';
import { changePorts, describePlan, describeResult, exitCodeFor, openChangeSession, type ChangeSession } from './change-support.js';
import type { Command } from './command.js';
import { KUBE_OPTIONS } from './kube-options.js';
import { connectFromFlags, podTargetFor } from './kube-connect.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';

/** `kustody revoke NAMESPACE/POD --case CASE [...]`, or `kustody revoke --service-account NS/NAME --case CASE [...]` for an account found without a pod. */
export const revokeCommand: Command = {
  path: ['revoke', ''],
  usage: 'kustody revoke (NAMESPACE/POD | --service-account NS/NAME) --case CASE [--legacy-tokens] [--rbac] [--rotate-sa | --delete-sa] [--delete-pod [--allow-uncaptured]] [--cloud] [--token-file F] [--dry-run] [--yes] [--json]',
  summary: 'revoke what a pod (or a ServiceAccount found without one) held, then verify stolen tokens no longer authenticate',
  help: [
    '--service-account NS/NAME  with no pod: revoke a ServiceAccount the team found (audit who, a sweep), e.g. a backdoor account',
    '                 (with a pod, --service-account NAME names its account when the pod is already gone)',
    '--delete-sa      delete the ServiceAccount for good (not recreated; saved in the case): every token bound to it dies',
    '--legacy-tokens  delete the long-lived token Secrets of its ServiceAccount (found from the SA and from tokens seen)',
    '--rbac           delete the bindings that grant its ServiceAccount anything (saved in the case), or remove it from shared ones',
    '--rotate-sa      delete and recreate its ServiceAccount: every token bound to the old uid dies (other pods using it are listed)',
    '--delete-pod     delete the pod (uid precondition) once a capture of it is in the case, or with --allow-uncaptured',
    '--cloud          show, and with --yes run, the provider commands that cut its cloud workload identity (aws, gcloud, az)',
    '--token-file F   a leaked token to verify too (kept in memory; only its fingerprint and claims are stored)',
    'Afterwards every known token is sent to TokenReview until it is rejected (up to --verify-seconds, default 90).',
  ].join('\n'),
  options: {
    ...KUBE_OPTIONS, case: { type: 'string' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' },
    'legacy-tokens': { type: 'boolean' }, rbac: { type: 'boolean' }, 'rotate-sa': { type: 'boolean' }, 'delete-pod': { type: 'boolean' },
    'allow-uncaptured': { type: 'boolean' }, cloud: { type: 'boolean' }, 'token-file': { type: 'string', multiple: true },
    'service-account': { type: 'string' }, 'delete-sa': { type: 'boolean' }, 'verify-seconds': { type: 'string' },
  },
  positionals: { min: 0, max: 1 },
  async run(args, { io, json, env }) {
    if (typeof args.values.case !== 'string') throw new UsageError('revoke needs --case CASE: every change is recorded in a case.');
    const verifySeconds = args.values['verify-seconds'] === undefined ? 90 : Number(args.values['verify-seconds']);
    if (!Number.isInteger(verifySeconds) || verifySeconds < 0 || verifySeconds > 3600) throw new UsageError('--verify-seconds must be a whole number from 0 to 3600.');
    const account = typeof args.values['service-account'] === 'string' ? args.values['service-account'] : undefined;
    const podText = args.positionals[0];
    if (podText === undefined && account === undefined) throw new UsageError('revoke needs a pod (NAMESPACE/POD) or --service-account NAMESPACE/NAME.', 'kustody revoke shop/web --case C --delete-pod, or kustody revoke --service-account shop/metrics --case C --rbac --delete-sa');
    if (podText === undefined && (args.values['delete-pod'] === true || args.values['allow-uncaptured'] === true)) throw new UsageError('--delete-pod needs a pod: revoking a ServiceAccount alone deletes no pod.', 'Revoke the pod too: kustody revoke NAMESPACE/POD --case C --delete-pod');
    if (args.values['delete-sa'] === true && args.values['rotate-sa'] === true) throw new UsageError('--delete-sa and --rotate-sa both delete the ServiceAccount; --rotate-sa recreates it, --delete-sa does not. Pass one.');
    const kube = await connectFromFlags(args.values, env);
    const options = {
      legacyTokens: args.values['legacy-tokens'] === true, rbac: args.values.rbac === true, rotateServiceAccount: args.values['rotate-sa'] === true,
      deletePod: args.values['delete-pod'] === true, allowUncaptured: args.values['allow-uncaptured'] === true, deleteServiceAccount: args.values['delete-sa'] === true,
    };
    const accountTarget = podText === undefined ? accountTargetFor(account ?? '', kube, args.values) : null;
    const { namespace, pod } = accountTarget === null ? podTargetFor(podText ?? '', kube, args.values) : { namespace: accountTarget.namespace, pod: null };
    const session = await openChangeSession(args.values.case, kube, env);
    try {
      const dryRun = args.values['dry-run'] === true;
      const confirmed = args.values.yes === true;
      const leaked = readTokenFiles(session, (args.values['token-file'] ?? []) as unknown as string[]);
      const prepared = accountTarget !== null || pod === null
        ? await prepareAccountRevocation(kube, session, { namespace, name: accountTarget?.name ?? '', leaked, options })
        : await prepareRevocation(kube, session, { namespace, pod, serviceAccountName: account, leaked, options });
      const { plan, facts } = prepared;
      if (!json) for (const line of describePlan(plan)) io.out(line);
      const verifyPorts = revocationVerifyPorts(kube);
      const before = await reviewBefore(prepared.tokens, verifyPorts);
      await pausePoint('revoke:before-apply');
      const result = await applyPlan(plan, changePorts(kube, session, confirmed), { dryRun });
      const replaced = pod === null && !dryRun && options.deleteServiceAccount ? await accountReplaced(kube, session, prepared) : null;
      if (replaced !== null) plan.report.push(replaced);
      const cloud = args.values.cloud === true ? await revokeCloudIdentities(session, facts.serviceAccount?.object ?? null, namespace, confirmed && !dryRun, (text) => { if (!json) for (const line of text.split('\n')) io.out(escapeUntrusted(line)); }) : [];
      const verdict: RevocationVerdict = dryRun ? { checks: [], access: null, untouched: [] } : await verifyRevocation(kube, session, prepared, result, before, { verifySeconds, countAlready: false, ports: verifyPorts });
      const { checks, access, untouched } = verdict;
      if (!dryRun && untouched.length > 0 && result.status !== 'not-confirmed') plan.report.push(`${untouched.length} token(s) seen are not revoked by these changes (bound to something still in place): ${untouched.map((t) => t.fingerprint.slice(0, 24)).join(', ')}. ${pod === null ? 'Add --rotate-sa or --delete-sa' : 'Add --delete-pod or --rotate-sa'} to kill them.`);
      // Tokens the audit log shows minted for the subject that this plan leaves alive: the revocation did not end the identity.
      const survivors = dryRun || result.status === 'not-confirmed' ? [] : prepared.survivors;
      const outlived = survivorsWarning(survivors, prepared.subject);
      if (json) io.out(toSafeJson({ plan: plan.kind, target: plan.target, status: result.status, changes: result.changes, report: plan.report, tokens: checks, access_after: access, cloud, identities: prepared.identities, minted_surviving: survivors }));
      else {
        for (const line of describeResult(result, dryRun)) io.out(line);
        for (const c of checks) io.out(c.outcome === 'revoked' ? display`  token ${escapeUntrusted(c.fingerprint.slice(0, 24))}… rejected by TokenReview after ${escapeUntrusted(String(c.secondsToReject))} s` : display`  !! token ${escapeUntrusted(c.fingerprint.slice(0, 24))}… STILL AUTHENTICATES after ${verifySeconds} s (${escapeUntrusted(c.outcome)})`);
        if (access !== null) for (const [what, allowed] of Object.entries(access)) io.out(display`  after --rbac, ${escapeUntrusted(what)}: ${allowed ? trusted('!! still allowed') : trusted('denied')}`);
      }
      if (replaced !== null && !json) io.out(display`  !! ${escapeUntrusted(replaced)}`);
      if (outlived !== null && !json) io.out(display`  !! ${escapeUntrusted(outlived)}`);
      const tokensAlive = checks.some((c) => c.outcome !== 'revoked') || outlived !== null;
      return tokensAlive || replaced !== null ? 1 : exitCodeFor(result);
    } finally {
      session.close();
    }
  },
};

function readTokenFiles(session: ChangeSession, files: readonly string[]): LiveTokenHandle[] {
  return files.map((file) => {
    let text: string;
    try {
      text = readRegularFile(file, MAX_TOKEN_FILE_BYTES, TOKEN_FILE_ROLE).toString('utf8');
    } catch (error) {
      if (error instanceof KustodyError && error.code !== 'INPUT_UNREADABLE') throw error;
      throw new UsageError(`--token-file ${file} cannot be read.`);
    }
    return leakedToken(text, session.caseKey, file);
  });
}

/** `--service-account NS/NAME` (or NAME with -n) as the account to revoke. */
function accountTargetFor(text: string, kube: KubeClients, values: Record<string, string | boolean | undefined>): { namespace: string; name: string } {
  try {
    const { namespace, pod } = podTargetFor(text, kube, values);
    return { namespace, name: pod };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`--service-account ${JSON.stringify(text.slice(0, 80))} is not NAMESPACE/NAME.`, 'Pass the ServiceAccount as namespace/name (e.g. shop/metrics), as `kustody audit who` or a sweep names it.');
  }
}
