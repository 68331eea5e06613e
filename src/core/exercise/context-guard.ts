/**
 * Decides whether `exercise start` may deploy an attacker onto a cluster, from the kubeconfig alone
 * (before any connection): the kustody lab needs only --yes, any other cluster the facilitator's
 * --i-own-this-cluster, and a context that looks like production is refused unless overridden. Pure.
 */

/** What the kubeconfig says about the target. */
export interface ContextFacts {
  context: string;
  cluster: string;
  server: string;
}

/** The verdict: which confirmation the context needs, and why it looks like production. */
export interface ContextVerdict {
  kind: 'lab' | 'other' | 'production-looking';
  reasons: string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const MANAGED_ENDPOINTS: Array<[RegExp, string]> = [
  [/\.eks\.amazonaws\.com$/i, 'an Amazon EKS endpoint'],
  [/\.azmk8s\.io$/i, 'an Azure AKS endpoint'],
  [/(^|\.)container\.googleapis\.com$|\.gke\.goog$/i, 'a Google GKE endpoint'],
];
const MANAGED_NAMES: Array<[RegExp, string]> = [
  [/^arn:aws:eks:/i, 'an EKS context name'],
  [/^gke_/i, 'a GKE context name'],
  [/(^|[^a-z])aks([^a-z]|$)/i, 'an AKS name'],
];

function hostOf(server: string): string {
  try {
    return new URL(server).hostname;
  } catch {
    return server;
  }
}

/** Judges a context: the lab (cluster kustody-lab on loopback), production-looking, or another cluster. */
export function judgeContext(facts: ContextFacts): ContextVerdict {
  const host = hostOf(facts.server);
  const reasons: string[] = [];
  for (const [label, value] of [['context', facts.context], ['cluster', facts.cluster], ['server', facts.server]] as const) {
    if (/prod|prd(?![a-z])/i.test(value)) reasons.push(`the ${label} name ${JSON.stringify(value.slice(0, 120))} mentions production`);
  }
  for (const [pattern, what] of MANAGED_ENDPOINTS) if (pattern.test(host)) reasons.push(`the server ${host.slice(0, 120)} is ${what}`);
  for (const [pattern, what] of MANAGED_NAMES) {
    for (const value of [facts.context, facts.cluster]) if (pattern.test(value)) reasons.push(`${JSON.stringify(value.slice(0, 120))} is ${what}`);
  }
  if (reasons.length > 0) return { kind: 'production-looking', reasons: [...new Set(reasons)] };
  if (facts.cluster === 'kustody-lab' && LOOPBACK.has(host)) return { kind: 'lab', reasons: [] };
  return { kind: 'other', reasons: [] };
}

/** Why the facilitator may not start here with these flags, or null when they may. */
export function startRefusal(verdict: ContextVerdict, flags: { ownCluster: boolean; allowProduction: boolean }, context: string): { message: string; nextStep: string } | null {
  if (verdict.kind === 'production-looking' && !flags.allowProduction) {
    return {
      message: `Refusing to start an attacker on context ${JSON.stringify(context.slice(0, 120))}: it looks like production (${verdict.reasons.join('; ')}).`,
      nextStep: 'Run exercises on the kustody lab or a cluster built for practice. If this really is a practice cluster you own, pass --i-own-this-cluster --allow-production-context.',
    };
  }
  if (verdict.kind !== 'lab' && !flags.ownCluster) {
    return {
      message: `Context ${JSON.stringify(context.slice(0, 120))} is not the kustody lab: an exercise deploys an attacker with real permissions there.`,
      nextStep: 'If you own this cluster and it is meant for practice, pass --i-own-this-cluster; else switch to the lab (`npm run lab -- env`).',
    };
  }
  return null;
}
