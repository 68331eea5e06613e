/**
 * Revocation as a reusable step: gather the tokens to prove dead (in memory only), plan against the
 * cluster, and after the changes are applied, poll TokenReview and SubjectAccessReview until the
 * stolen identity is dead, recording every verdict. Used by `kustody revoke` and the playbook runner.
 */
import type { ChangePlan } from '../core/changes/change.js';
import type { JsonValue } from '../core/custody/canonical-json.js';
import type { LiveTokenHandle } from '../core/credentials/live-token.js';
import type { CloudIdentity } from '../core/revoke/cloud-types.js';
import { planRevocation, type RevocationFacts, type RevocationOptions } from '../core/revoke/plan-revocation.js';
import type { KubeClients } from '../adapters/kube/kube-client.js';
import { readRevocationFacts } from '../adapters/kube/revocation-facts.js';
import { reviewToken, subjectMay } from '../adapters/kube/token-review.js';
import { capturedServiceAccountName } from '../adapters/store/case-reader.js';
import { auditWritesOf, capturedIdentities, hasAuditEvents } from '../adapters/store/sweep-facts.js';
import { attackerIdentities, describeAttackerIdentities, mintedSurvivors, type AccountCover, type AttackerIdentity, type MintedToken } from '../core/sweep/attacker-identities.js';
import { recordAction } from '../adapters/store/case-store.js';
import { unfinishedRotation } from '../adapters/store/recreate-records.js';
import { utcNow } from '../adapters/system/responder-env.js';
import type { ApplyResult } from './apply-plan.js';
import type { ChangeSession } from './change-session.js';
import { legacySecretOf, readPodTokens, tokenTargeted, type RemovedIdentities } from './live-tokens.js';
import { runCloudRevoke } from './run-cloud-revoke.js';
import { waitUntilRejected, type TokenCheck, type VerifyPorts } from './verify-revocation.js';

/** A revocation planned against the cluster, with the tokens it must later prove dead. */
export interface PreparedRevocation {
  namespace: string;
  plan: ChangePlan;
  facts: RevocationFacts;
  tokens: LiveTokenHandle[];
  /** Every identity the case's audit log shows the attacker held (empty when no audit log was ingested). */
  identities: AttackerIdentity[];
  /** Tokens the audit log shows the attacker minting for the target's own account that this plan does not kill. */
  survivors: MintedToken[];
  /** The identity this plan revokes (`system:serviceaccount:NS:NAME`): every other one in `identities` stays alive. */
  subject: string;
}

/** What verification found after the changes. */
export interface RevocationVerdict {
  checks: TokenCheck[];
  access: Record<string, boolean> | null;
  /** Tokens seen that these changes do not revoke (bound to something still in place). */
  untouched: LiveTokenHandle[];
}

/** Gathers the tokens (leaked ones given, plus those the pod can read now), reads the facts and plans the revocation. */
export async function prepareRevocation(kube: KubeClients, session: ChangeSession, input: { namespace: string; pod: string; serviceAccountName?: string; leaked: readonly LiveTokenHandle[]; options: RevocationOptions }): Promise<PreparedRevocation> {
  const { namespace, pod } = input;
  const tokens = await gatherTokens(kube, session, namespace, pod, input.leaked);
  const legacy = await acceptedLegacySecrets(kube, namespace, tokens.list);
  // Once the pod is gone (a resumed run after its delete), its captured copy in the case names the ServiceAccount.
  const serviceAccountName = input.serviceAccountName ?? capturedServiceAccountName(session.db, namespace, pod);
  const facts = await readRevocationFacts(kube, {
    caseId: session.caseId, namespace, pod,
    serviceAccountName,
    legacyTokenSecrets: legacy.names, captureInCase: captureInCase(session, namespace, pod),
    readQuarantine: input.options.deletePod,
  });
  const plan = planRevocation(withUnfinishedRotation(session, facts, namespace, serviceAccountName, input.options), input.options);
  if (input.options.legacyTokens) plan.report.push(...legacy.notes);
  if (tokens.note) plan.report.push(tokens.note);
  const podIdentity = `system:serviceaccount:${namespace}:${facts.serviceAccount?.name ?? input.serviceAccountName ?? 'default'}`;
  const identities = heldIdentities(session, podIdentity);
  const cover = accountCover(plan, pod);
  plan.report.push(...(hasAuditEvents(session.db) ? describeAttackerIdentities(identities, podIdentity, cover) : ['No audit log is ingested in this case: other identities the attacker may have used or created are unknown (kustody audit ingest, then run this again).']));
  return { namespace, plan, facts, tokens: tokens.list, identities, survivors: mintedSurvivors(identities, podIdentity, cover), subject: podIdentity };
}

/**
 * Plans the revocation of a ServiceAccount the team found without a pod (a backdoor account from
 * `audit who` or a sweep). The tokens to prove dead are the leaked ones given and those that running
 * pods of the account, captured in this case, can read now; the case's token fingerprints of the
 * account are named (kustody keeps no raw copy of them, so deleting the account's uid is what kills them).
 */
export async function prepareAccountRevocation(kube: KubeClients, session: ChangeSession, input: { namespace: string; name: string; leaked: readonly LiveTokenHandle[]; options: RevocationOptions }): Promise<PreparedRevocation> {
  const { namespace, name } = input;
  const tokens = await gatherAccountTokens(kube, session, namespace, name, input.leaked);
  const legacy = await acceptedLegacySecrets(kube, namespace, tokens.list);
  const facts = await readRevocationFacts(kube, { caseId: session.caseId, namespace, pod: null, serviceAccountName: name, legacyTokenSecrets: legacy.names, captureInCase: false });
  const plan = planRevocation(withUnfinishedRotation(session, facts, namespace, name, input.options), input.options);
  if (input.options.legacyTokens) plan.report.push(...legacy.notes);
  plan.report.push(...tokens.notes);
  const subject = `system:serviceaccount:${namespace}:${name}`;
  const seen = session.db.prepare('SELECT COUNT(DISTINCT fingerprint) AS n FROM credentials WHERE subject = ?').get(subject) as { n: number };
  if (seen.n > 0) plan.report.push(`The case holds ${seen.n} fingerprint(s) of tokens of ${subject} from its captures; no raw copy is kept, so only deleting the account's uid (--rotate-sa or --delete-sa) is sure to kill them.`);
  const identities = heldIdentities(session, subject);
  const cover = accountCover(plan, null);
  plan.report.push(...(hasAuditEvents(session.db) ? describeAttackerIdentities(identities, subject, cover) : ['No audit log is ingested in this case: other identities the attacker may have used or created are unknown (kustody audit ingest, then run this again).']));
  return { namespace, plan, facts, tokens: tokens.list, identities, survivors: mintedSurvivors(identities, subject, cover), subject };
}

/**
 * After `--delete-sa`: whether a ServiceAccount of the same name exists again with another uid (swapped
 * in by someone while kustody planned; the uid precondition left it alone). Recorded and said, so the
 * revocation is never taken for the new account's.
 */
export async function accountReplaced(kube: KubeClients, session: ChangeSession, prepared: PreparedRevocation): Promise<string | null> {
  const planned = prepared.facts.serviceAccount;
  if (planned === null) return null;
  const now = await kube.core.readNamespacedServiceAccount({ namespace: prepared.namespace, name: planned.name }).catch(() => null);
  const uid = now?.metadata?.uid;
  if (uid === undefined || uid === planned.uid) return null;
  recordAction(session.db, { at: utcNow(), actor: session.actor, kind: 'observe', target: `serviceaccount:${prepared.namespace}/${planned.name}`, detail: { step: 'account-replaced', planned_uid: planned.uid, uid }, outcome: 'replaced' });
  return `ServiceAccount ${prepared.namespace}/${planned.name} exists again with uid ${uid}, not the planned ${planned.uid}: someone recreated it, and its tokens are alive. It was not touched; revoke it again.`;
}

/** TokenReview and the clock, as verification needs them; `sleep` ends early (throwing `onAbort()`) when `signal` fires. */
export function revocationVerifyPorts(kube: KubeClients, signal?: AbortSignal, onAbort?: () => Error): VerifyPorts {
  return {
    review: (token: string) => reviewToken(kube, token),
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(onAbort?.() ?? new Error('aborted'));
      const timer = setTimeout(() => { signal?.removeEventListener('abort', stop); resolve(); }, ms);
      const stop = () => { clearTimeout(timer); reject(onAbort?.() ?? new Error('aborted')); };
      signal?.addEventListener('abort', stop, { once: true });
    }),
  };
}

/**
 * Proves the applied changes worked: polls TokenReview for every token they must have killed and, when
 * RBAC bindings were removed, asks SubjectAccessReview what the ServiceAccount may still do. With
 * `countAlready`, changes found already in effect (a rerun or a resume) count as done.
 */
export async function verifyRevocation(kube: KubeClients, session: ChangeSession, prepared: PreparedRevocation, result: ApplyResult, before: Map<string, boolean | null>, options: { verifySeconds: number; countAlready: boolean; ports: VerifyPorts; onPoll?: (pending: number, total: number) => void }): Promise<RevocationVerdict> {
  const { plan, facts, tokens } = prepared;
  const done = new Set(result.changes.filter((o) => o.status === 'applied' || (options.countAlready && o.status === 'already')).map((o) => o.id));
  const removed = removedIdentities(plan, done);
  // An account found absent when planned: every token of it is dead, and the plan said it is verified.
  const gone = facts.account !== undefined && facts.serviceAccount === null ? `system:serviceaccount:${facts.account.namespace}:${facts.account.name}` : null;
  const targeted = tokens.filter((t) => tokenTargeted(t, removed) || (gone !== null && t.subject === gone));
  let checks: TokenCheck[] = [];
  if (targeted.length > 0) {
    checks = await waitUntilRejected(targeted, before, options.ports, { deadlineMs: options.verifySeconds * 1000, intervalMs: 2000, onPoll: options.onPoll });
    recordAction(session.db, { at: utcNow(), actor: session.actor, kind: 'revoke', target: plan.target, detail: { step: 'verify-tokens', checks: checks as unknown as JsonValue }, outcome: checks.every((c) => c.outcome === 'revoked') ? 'revoked' : 'still-valid' });
  }
  const rbacRemoved = plan.changes.some((c) => done.has(c.id) && c.id.startsWith('rbac-'));
  const access = rbacRemoved && facts.serviceAccount !== null ? await rbacAfter(kube, session, prepared.namespace, facts.serviceAccount.name, plan.target) : null;
  return { checks, access, untouched: tokens.filter((t) => !targeted.includes(t)) };
}

/** Runs (confirmed) or shows the provider commands that cut the ServiceAccount's cloud workload identity, recording each. */
export async function revokeCloudIdentities(session: ChangeSession, sa: Record<string, JsonValue> | null, namespace: string, confirmed: boolean, show: (line: string) => void): Promise<Array<{ id: string; status: string; message: string | undefined }>> {
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

async function gatherTokens(kube: KubeClients, session: ChangeSession, namespace: string, pod: string, leaked: readonly LiveTokenHandle[]): Promise<{ list: LiveTokenHandle[]; note: string | null }> {
  const list: LiveTokenHandle[] = [...leaked];
  let note: string | null = null;
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

/** The leaked tokens, plus those of the account's running pods that this case captured, read live; each read recorded (fingerprints only). */
async function gatherAccountTokens(kube: KubeClients, session: ChangeSession, namespace: string, name: string, leaked: readonly LiveTokenHandle[]): Promise<{ list: LiveTokenHandle[]; notes: string[] }> {
  const list: LiveTokenHandle[] = [...leaked];
  const notes: string[] = [];
  const pods = (await kube.core.listNamespacedPod({ namespace }).catch(() => ({ items: [] }))).items
    .filter((p) => (p.spec?.serviceAccountName ?? 'default') === name && p.status?.phase === 'Running' && captureInCase(session, namespace, p.metadata?.name ?? ''))
    .slice(0, MAX_ACCOUNT_PODS_READ);
  for (const pod of pods) {
    const read = await readPodTokens(kube, pod, session.caseKey);
    list.push(...read.tokens);
    if (read.note !== null) notes.push(`pod ${namespace}/${pod.metadata?.name ?? ''}: ${read.note}`);
  }
  if (list.length === 0) notes.push('No token of this ServiceAccount is at hand to send to TokenReview (pass a leaked one with --token-file): deleting its uid (--rotate-sa or --delete-sa), read back, is the proof that every token bound to it is dead.');
  const unique = [...new Map(list.map((t) => [t.fingerprint, t])).values()];
  recordAction(session.db, { at: utcNow(), actor: session.actor, kind: 'observe', target: `serviceaccount:${namespace}/${name}`, detail: { step: 'live-tokens', pods_read: pods.map((p) => p.metadata?.name ?? ''), tokens: unique.map((t) => ({ fingerprint: t.fingerprint, subject: t.subject, location: t.location, expires_at: t.expiresAt })) }, outcome: 'ok' });
  return { list: unique, notes };
}

/**
 * The legacy token Secrets in `namespace` that the tokens name, each only when TokenReview accepts its
 * token as an account of `namespace`: until then a token's claims are its maker's word, and a forged
 * one could name any Secret. A note for each token refused.
 */
async function acceptedLegacySecrets(kube: KubeClients, namespace: string, tokens: readonly LiveTokenHandle[]): Promise<{ names: string[]; notes: string[] }> {
  const names: string[] = [];
  const notes: string[] = [];
  for (const token of tokens) {
    const name = legacySecretOf(token);
    if (name === null) continue;
    const verdict = await reviewToken(kube, token.reveal()).catch(() => null);
    if (verdict?.authenticated === true && verdict.username?.startsWith(`system:serviceaccount:${namespace}:`) === true) names.push(name);
    else notes.push(`Token ${token.fingerprint.slice(0, 24)}… names legacy token Secret ${name}, but the API server does not accept it as an account of ${namespace} (forged, from elsewhere, or already revoked): ${name} is not deleted on its word.`);
  }
  return { names, notes };
}

/** The facts with the object an unfinished `--rotate-sa` of this case planned, when the account is absent and a rotation is asked for again. */
function withUnfinishedRotation(session: ChangeSession, facts: RevocationFacts, namespace: string, name: string | undefined, options: RevocationOptions): RevocationFacts {
  if (facts.serviceAccount !== null || !options.rotateServiceAccount || name === undefined) return facts;
  const object = unfinishedRotation(session.db, namespace, name);
  return object === null ? facts : { ...facts, unfinishedRotation: { name, object } };
}

/** At most this many running pods of a ServiceAccount have their tokens read live (each is an exec). */
const MAX_ACCOUNT_PODS_READ = 3;

/** The pod's identity, the case's captured ones, and every ServiceAccount the audit log shows them creating or minting tokens for. */
function heldIdentities(session: ChangeSession, podIdentity: string): AttackerIdentity[] {
  if (!hasAuditEvents(session.db)) return [];
  const captured = capturedIdentities(session.db);
  const start = [...new Set([podIdentity, ...captured.usernames])];
  const { writes } = auditWritesOf(session.db, { usernames: start, credentialIds: captured.credentialIds }, '1970-01-01T00:00:00.000Z');
  return attackerIdentities(start, writes);
}

/** What the plan kills of the account's tokens: all of them when it deletes the account's uid, else those bound to the pod it deletes. */
export function accountCover(plan: ChangePlan, pod: string | null): AccountCover {
  const deletes = plan.changes.filter((c) => c.change.action === 'delete');
  return {
    accountRevoked: deletes.some((c) => c.change.target.kind === 'ServiceAccount'),
    deletedPod: pod !== null && deletes.some((c) => c.change.target.kind === 'Pod' && c.change.target.name === pod) ? pod : null,
  };
}

function captureInCase(session: ChangeSession, namespace: string, pod: string): boolean {
  const row = session.db.prepare("SELECT 1 FROM captures WHERE target = ? AND status = 'complete' LIMIT 1").get(`pod:${namespace}/${pod}`);
  return row !== undefined;
}

async function rbacAfter(kube: KubeClients, session: ChangeSession, namespace: string, sa: string, target: string): Promise<Record<string, boolean>> {
  const subject = { user: `system:serviceaccount:${namespace}:${sa}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] };
  const access: Record<string, boolean> = {};
  for (const [verb, resource] of [['get', 'secrets'], ['list', 'secrets'], ['create', 'pods']] as const) access[`${verb} ${resource} in ${namespace}`] = await subjectMay(kube, subject, { verb, resource, namespace });
  recordAction(session.db, { at: utcNow(), actor: session.actor, kind: 'revoke', target, detail: { step: 'verify-rbac', subject: subject.user, access }, outcome: Object.values(access).some(Boolean) ? 'still-allowed' : 'denied' });
  return access;
}

/** The pods, ServiceAccounts and legacy token Secrets that the done changes deleted. */
function removedIdentities(plan: ChangePlan, done: ReadonlySet<string>): RemovedIdentities {
  const removed: RemovedIdentities = { podUids: [], serviceAccountUids: [], legacySecrets: [] };
  for (const planned of plan.changes) {
    if (!done.has(planned.id) || planned.change.action !== 'delete') continue;
    if (planned.change.target.kind === 'Pod') removed.podUids.push(planned.change.uid);
    if (planned.change.target.kind === 'ServiceAccount') removed.serviceAccountUids.push(planned.change.uid);
    if (planned.change.target.kind === 'Secret') removed.legacySecrets.push(planned.change.target.name);
  }
  return removed;
}
