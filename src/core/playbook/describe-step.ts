/**
 * Plain-language previews of what an observe step reads or runs, for the plan, the preview event and
 * the golden plans. Pure; the runner escapes these lines before they reach a terminal.
 */
import { expandArgv } from './step-params.js';
import type { PlaybookStep, StepUndo } from './types.js';

/** The values a step's text and argv may refer to. */
export interface StepTarget {
  namespace: string;
  pod: string;
  caseId: string;
  caseDir: string;
}

/** What an observe step will do, one sentence a line (contain and revoke steps show their change plan instead). */
export function describeStep(step: PlaybookStep, target: StepTarget): string[] {
  const pod = `${target.namespace}/${target.pod}`;
  switch (step.action) {
    case 'capture': {
      const via = step.params.via === 'auto' ? 'auto (exec first; debug or node only with a collector image and confirmation)' : step.params.via;
      const what = step.params.scope === 'volatile' ? 'connections, processes, mounts and tokens' : 'connections, processes, mounts, tokens, the Kubernetes objects around the pod and its logs';
      return [`Reads ${what} of ${pod}${step.params.container === null ? '' : ` (container ${step.params.container})`} via ${via}, within ${step.params.timeoutSeconds} s.`, 'Stores each part in its own transaction, in order of volatility; tokens as fingerprints and claims only.'];
    }
    case 'identities':
      return [`Lists the identities ${pod} holds (ServiceAccount, projected and legacy tokens, mounted Secrets by name, cloud identities), what RBAC lets them do, and how long each stays valid.`];
    case 'export':
      return ['Writes the case as a bundle (evidence.db, manifest.json, SHA256SUMS) into the case folder and records its SHA-256 in the custody log.'];
    case 'checklist':
      return step.params.items.length === 0 ? [`Checklist: ${step.title}`] : step.params.items.map((item) => `[ ] ${item}`);
    case 'command':
      return [`Runs without a shell: ${JSON.stringify(expandArgv(step.params.argv, { 'target.namespace': target.namespace, 'target.pod': target.pod, 'case.id': target.caseId, 'case.dir': target.caseDir }))} (timeout ${step.params.timeoutSeconds} s); output is redacted, capped and stored in the case.`];
    case 'isolate':
      return [`Quarantines ${pod}: a case label and a deny-all NetworkPolicy${step.params.detach ? ', detached from its controller and Services' : ''}${step.params.cordon ? ', its node cordoned' : ''}${step.params.guard ? ', guarded against anyone but you undoing the quarantine, entering or deleting the pod' : ''}${step.params.cutConnections ? '; then every connection that survived the policy is cut from its node (sockets destroyed, processes left running)' : ''}.`];
    case 'release':
      return [`Undoes, in reverse order, exactly what this case's isolation applied to ${pod}, as recorded in the custody log.`];
    case 'audit':
      return ['Ingests the API server audit log (kustody run --audit-log FILE, else $KUSTODY_AUDIT_LOG) into the case as hostile input, and says how many events carry the leaked token\'s credential id; without a log it is skipped, and the sweep finds persistence by creation time only.'];
    case 'sweep':
      return [`Sweeps ${target.namespace} (and cluster-wide objects pointing into it) for persistence created since the incident start (kustody run --since; else the leaked token's issue time; else the last ${step.params.since}) or, from an ingested audit log, by the case's identities: CronJobs, Jobs, DaemonSets, Deployments and new images, escaping pods, ServiceAccounts, token Secrets, bindings, webhooks. Records each item, then deletes those created in the window by an identity the audit log ties to the case (uid preconditions); what only the scan found, and changed objects, are reported, never deleted.`];
    case 'revoke': {
      const parts = [step.params.legacyTokens && 'deletes legacy token Secrets', step.params.rbac && 'removes its ServiceAccount from RBAC bindings', step.params.rotateSa && 'rotates its ServiceAccount', step.params.deletePod && 'deletes the pod (only once a capture is in the case)', step.params.cloud && 'cuts its cloud workload identity'].filter((p): p is string => typeof p === 'string');
      return [`Revokes what ${pod} held: ${parts.join(', ')}; then polls TokenReview up to ${step.params.verifySeconds} s until every known token is rejected.`];
    }
  }
}

/** The undo of a step, as one line. */
export function describeUndo(undo: StepUndo | null): string | null {
  if (undo === null) return null;
  return 'action' in undo ? `kustody ${undo.action} (from the custody log)` : undo.reason;
}
