/** `kustody revoke`: delete legacy tokens, quarantine RBAC, rotate the ServiceAccount, delete the pod, cut cloud sessions — then prove stolen tokens are dead. */
import { readFileSync } from 'node:fs';
import type { JsonValue } from '../core/custody/canonical-json.js';
import { display, escapeUntrusted, toSafeJson, trusted } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { planRevocation } from '../core/revoke/plan-revocation.js';
import type { CloudIdentity } from '../core/revoke/cloud-types.js';
import type { LiveTokenHandle } from '../core/credentials/live-token.js';
import { readRevocationFacts } from '../adapters/kube/revocation-facts.js';
import { reviewToken, subjectMay } from '../adapters/kube/token-review.js';
import { recordAction } from '../adapters/store/case-store.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { applyPlan } from '../runner/apply-plan.js';
import { leakedToken, legacySecretOf, readPodTokens, tokenTargeted, type RemovedIdentities } from '../runner/live-tokens.js';
import type { ChangePlan } from '../core/changes/change.js';
import type { ChangeOutcome } from '../runner/apply-plan.js';
import { runCloudRevoke } from '../runner/run-cloud-revoke.js';
import { reviewBefore, waitUntilRejected, type TokenCheck } from '../runner/verify-revocation.js';
import { changePorts, describePlan, describeResult, exitCodeFor, openChangeSession, type ChangeSession } from './change-support.js';
import type { Command } from './command.js';
import { KUBE_OPTIONS, parsePodTarget } from './kube-options.js';
import { connectFromFlags } from './kube-connect.js';

/** `kustody revoke NAMESPACE/POD --case CASE [...]`. */
export const revokeCommand: Command = {
  path: ['revoke', ''],
  usage: 'kustody revoke NAMESPACE/POD --case CASE [--legacy-tokens] [--rbac] [--rotate-sa] [--delete-pod [--allow-uncaptured]] [--cloud] [--token-file F] [--dry-run] [--yes] [--json]',
  summary: 'revoke what a pod held, then verify stolen tokens no longer authenticate',
  help: [
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
    'service-account': { type: 'string' }, 'verify-seconds': { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const { namespace, pod } = parsePodTarget(args.positionals[0] ?? '');
    if (typeof args.values.case !== 'string') throw new UsageError('revoke needs --case CASE: every change is recorded in a case.');
    const verifySeconds = args.values['verify-seconds'] === undefined ? 90 : Number(args.values['verify-seconds']);
    if (!Number.isInteger(verifySeconds) || verifySeconds < 0 || verifySeconds > 3600) throw new UsageError('--verify-seconds must be a whole number from 0 to 3600.');
    const kube = connectFromFlags(args.values, env);
    const session = await openChangeSession(args.values.case, kube, env);
    try {
      const dryRun = args.values['dry-run'] === true;
      const confirmed = args.values.yes === true;
      const tokens = await gatherTokens(kube, session, namespace, pod, (args.values['token-file'] ?? []) as unknown as string[]);
      const facts = await readRevocationFacts(kube, {
        caseId: session.caseId, namespace, pod, serviceAccountName: typeof args.values['service-account'] === 'string' ? args.values['service-account'] : undefined,
        legacyTokenSecrets: tokens.list.flatMap((t) => legacySecretOf(t) ?? []), captureInCase: captureInCase(session, namespace, pod),
      });
      const plan = planRevocation(facts, {
        legacyTokens: args.values['legacy-tokens'] === true, rbac: args.values.rbac === true, rotateServiceAccount: args.values['rotate-sa'] === true,
        deletePod: args.values['delete-pod'] === true, allowUncaptured: args.values['allow-uncaptured'] === true,
      });
      if (tokens.note) plan.report.push(tokens.note);
      if (!json) for (const line of describePlan(plan)) io.out(line);
      const verifyPorts = { review: (token: string) => reviewToken(kube, token), now: () => new Date(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
      const before = await reviewBefore(tokens.list, verifyPorts);
      const result = await applyPlan(plan, changePorts(kube, session, confirmed), { dryRun });
      const cloud = args.values.cloud === true ? await revokeCloud(session, facts.serviceAccount?.object ?? null, namespace, confirmed && !dryRun, (text) => { if (!json) for (const line of text.split('\n')) io.out(escapeUntrusted(line)); }) : [];
      let checks: TokenCheck[] = [];
      const removed = removedIdentities(plan, result.changes);
      const targeted = tokens.list.filter((t) => tokenTargeted(t, removed));
      const untouched = tokens.list.filter((t) => !targeted.includes(t));
      if (!dryRun && targeted.length > 0) {
        checks = await waitUntilRejected(targeted, before, verifyPorts, { deadlineMs: verifySeconds * 1000, intervalMs: 2000 });
        recordAction(session.db, { at: utcNow(), actor: session.actor, kind: 'revoke', target: plan.target, detail: { step: 'verify-tokens', checks: checks as unknown as JsonValue }, outcome: checks.every((c) => c.outcome === 'revoked') ? 'revoked' : 'still-valid' });
      }
      const access = !dryRun && result.changes.some((c) => c.status === 'applied' && c.id.startsWith('rbac-')) && facts.serviceAccount !== null
        ? await rbacAfter(kube, session, namespace, facts.serviceAccount.name, plan.target) : null;
      if (!dryRun && untouched.length > 0 && result.status !== 'not-confirmed') plan.report.push(`${untouched.length} token(s) seen are not revoked by these changes (bound to something still in place): ${untouched.map((t) => t.fingerprint.slice(0, 24)).join(', ')}. Add --delete-pod or --rotate-sa to kill them.`);
      if (json) io.out(toSafeJson({ plan: plan.kind, target: plan.target, status: result.status, changes: result.changes, report: plan.report, tokens: checks, access_after: access, cloud }));
      else {
        for (const line of describeResult(result, dryRun)) io.out(line);
        for (const c of checks) io.out(c.outcome === 'revoked' ? display`  token ${escapeUntrusted(c.fingerprint.slice(0, 24))}… rejected by TokenReview after ${escapeUntrusted(String(c.secondsToReject))} s` : display`  !! token ${escapeUntrusted(c.fingerprint.slice(0, 24))}… STILL AUTHENTICATES after ${verifySeconds} s (${escapeUntrusted(c.outcome)})`);
        if (access !== null) for (const [what, allowed] of Object.entries(access)) io.out(display`  after --rbac, ${escapeUntrusted(what)}: ${allowed ? trusted('!! still allowed') : trusted('denied')}`);
      }
      const tokensAlive = checks.some((c) => c.outcome !== 'revoked');
      return tokensAlive ? 1 : exitCodeFor(result);
    } finally {
      session.close();
    }
  },
};

async function gatherTokens(kube: Parameters<typeof readPodTokens>[0], session: ChangeSession, namespace: string, pod: string, files: string[]): Promise<{ list: LiveTokenHandle[]; note: string | null }> {
  const list: LiveTokenHandle[] = [];
  let note: string | null = null;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`--token-file ${file} cannot be read.`);
    }
    list.push(leakedToken(text, session.caseKey, file));
  }
  const current = await kube.core.readNamespacedPod({ namespace, name: pod }).catch(() => null);
  if (current !== null) {
    const read = await readPodTokens(kube, current, session.caseKey);
    list.push(...read.tokens);
    note = read.note;
  }
  const unique = [...new Map(list.map((t) => [t.fingerprint, t])).values()];
  recordAction(session.db, { at: utcNow(), actor: session.actor, kind: 'observe', target: `pod:${namespace}/${pod}`, detail: { step: 'live-tokens', tokens: unique.map((t) => ({ fingerprint: t.fingerprint, subject: t.subject, location: t.location, expires_at: t.expiresAt })) }, outcome: 'ok' });
  return { list: unique, note };
}

function captureInCase(session: ChangeSession, namespace: string, pod: string): boolean {
  const row = session.db.prepare("SELECT 1 FROM captures WHERE target = ? AND status = 'complete' LIMIT 1").get(`pod:${namespace}/${pod}`);
  return row !== undefined;
}

async function rbacAfter(kube: Parameters<typeof subjectMay>[0], session: ChangeSession, namespace: string, sa: string, target: string): Promise<Record<string, boolean>> {
  const subject = { user: `system:serviceaccount:${namespace}:${sa}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] };
  const access: Record<string, boolean> = {};
  for (const [verb, resource] of [['get', 'secrets'], ['list', 'secrets'], ['create', 'pods']] as const) access[`${verb} ${resource} in ${namespace}`] = await subjectMay(kube, subject, { verb, resource, namespace });
  recordAction(session.db, { at: utcNow(), actor: session.actor, kind: 'revoke', target, detail: { step: 'verify-rbac', subject: subject.user, access }, outcome: Object.values(access).some(Boolean) ? 'still-allowed' : 'denied' });
  return access;
}

async function revokeCloud(session: ChangeSession, sa: Record<string, JsonValue> | null, namespace: string, confirmed: boolean, show: (line: string) => void) {
  const annotations = ((sa?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations) ?? {};
  const name = String((sa?.metadata as { name?: string } | undefined)?.name ?? '');
  const identities: CloudIdentity[] = [];
  const role = annotations['eks.amazonaws.com/role-arn'];
  if (role) identities.push({ provider: 'aws-irsa', principal: role, namespace, serviceAccount: name });
  const gsa = annotations['iam.gke.io/gcp-service-account'];
  if (gsa) identities.push({ provider: 'gcp-workload-identity', principal: gsa, namespace, serviceAccount: name });
  const azure = annotations['azure.workload.identity/client-id'];
  if (azure) identities.push({ provider: 'azure-workload-identity', principal: azure, namespace, serviceAccount: name, tenantId: annotations['azure.workload.identity/tenant-id'] });
  if (identities.length === 0) {
    show('cloud: the ServiceAccount carries no cloud workload identity annotation.');
    return [];
  }
  const outcomes = await runCloudRevoke(identities, { now: new Date(), caseId: session.caseId }, {
    confirmed,
    show,
    record: (entry) => void recordAction(session.db, { at: utcNow(), actor: session.actor, kind: 'revoke', target: `cloud:${entry.commandId}`, detail: { step: 'cloud-command', ...entry } as unknown as JsonValue, outcome: entry.status }),
  });
  return outcomes.map((o) => ({ id: o.command.id, status: o.status, message: o.message }));
}

/** The pods, ServiceAccounts and legacy token Secrets that applied changes deleted. */
function removedIdentities(plan: ChangePlan, outcomes: readonly ChangeOutcome[]): RemovedIdentities {
  const applied = new Set(outcomes.filter((o) => o.status === 'applied').map((o) => o.id));
  const removed: RemovedIdentities = { podUids: [], serviceAccountUids: [], legacySecrets: [] };
  for (const planned of plan.changes) {
    if (!applied.has(planned.id) || planned.change.action !== 'delete') continue;
    if (planned.change.target.kind === 'Pod') removed.podUids.push(planned.change.uid);
    if (planned.change.target.kind === 'ServiceAccount') removed.serviceAccountUids.push(planned.change.uid);
    if (planned.change.target.kind === 'Secret') removed.legacySecrets.push(planned.change.target.name);
  }
  return removed;
}
