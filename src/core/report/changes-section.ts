/** The changes kustody made to the cluster, grouped per change with every state it reached, and the footprints it left. */
import { asArray, asObject, asString } from '../findings/json-fields.js';
import type { ActionFact, CaseFacts } from '../findings/types.js';
import type { ReportChange, ReportFootprint, ReportPlan } from './model.js';

const CHANGE_KINDS = new Set(['contain', 'revoke', 'footprint']);

function verdictOf(outcomes: readonly string[]): string {
  const last = outcomes.at(-1) ?? '';
  if (last === 'applied') return 'applied and verified by read-back';
  if (last === 'already-in-effect' || last === 'deletion-under-way') return `found ${last} (not sent again)`;
  if (last === 'intent') return 'left at intent: outcome not recorded';
  return last;
}

/** Every change (contain, revoke, footprint rows with a change_id), in order of first appearance. */
export function describeChanges(actions: readonly ActionFact[]): ReportChange[] {
  const byId = new Map<string, { first: ActionFact; states: { outcome: string; seq: number; at: string }[] }>();
  for (const a of actions) {
    if (!CHANGE_KINDS.has(a.kind)) continue;
    const d = asObject(a.detail);
    const id = asString(d.change_id);
    if (id === null) continue;
    const key = `${asString(d.plan) ?? ''}|${id}`;
    const entry = byId.get(key) ?? { first: a, states: [] };
    entry.states.push({ outcome: a.outcome, seq: a.seq, at: a.at });
    byId.set(key, entry);
  }
  return [...byId.values()].map(({ first, states }) => {
    const d = asObject(first.detail);
    const plan = asString(d.plan) ?? '';
    return {
      plan, changeId: asString(d.change_id) ?? '', kind: first.kind, title: asString(d.title) ?? '', target: first.target,
      states, verdict: verdictOf(states.map((s) => s.outcome)), isUndo: plan === 'release' || plan === 'cleanup',
    };
  });
}

/** Every plan row: proposed, dry run, declined or nothing to do. */
export function describePlans(actions: readonly ActionFact[]): ReportPlan[] {
  return actions.filter((a) => a.kind === 'plan').map((a) => ({ seq: a.seq, at: a.at, plan: asString(asObject(a.detail).plan) ?? '?', target: a.target, outcome: a.outcome }));
}

const VANTAGE_FOOTPRINT: Readonly<Record<string, string>> = {
  exec: 'kubectl-style exec: a collector process ran inside the workload container (its own process and reads are visible to the workload)',
  debug: 'an ephemeral debug container was added to the pod; Kubernetes never removes ephemeral containers from a pod',
  node: 'a collector pod ran on the node (see its placement and removal below)',
};

/** What collection left behind: footprint change rows, capture notes naming a footprint, and the vantage each capture used. */
export function describeFootprints(facts: CaseFacts): ReportFootprint[] {
  const out: ReportFootprint[] = [];
  for (const a of facts.actions) {
    const d = asObject(a.detail);
    if (a.kind === 'footprint' && a.outcome !== 'intent') out.push({ seq: a.seq, at: a.at, what: `${asString(d.plan) ?? 'footprint'}: ${asString(d.title) ?? a.target}`, detail: a.outcome });
    if (a.kind === 'observe' && d.step === 'capture-end') {
      for (const note of asArray(d.notes)) {
        if (typeof note !== 'string') continue;
        const vantage = /^vantage (exec|debug|node): used$/.exec(note);
        if (note.startsWith('footprint: ')) out.push({ seq: a.seq, at: a.at, what: 'capture footprint', detail: note.slice('footprint: '.length, 600) });
        else if (vantage !== null) out.push({ seq: a.seq, at: a.at, what: `capture via ${vantage[1]}`, detail: VANTAGE_FOOTPRINT[vantage[1]!] ?? note });
      }
    }
  }
  for (const c of facts.captures) {
    const vantage = String(c.vantage ?? '');
    if (vantage === 'exec' || vantage === 'debug') out.push({ seq: 0, at: String(c.started_at ?? ''), what: `capture ${String(c.capture_id ?? '')} via ${vantage}`, detail: VANTAGE_FOOTPRINT[vantage]! });
  }
  return out.slice(0, 2000);
}
