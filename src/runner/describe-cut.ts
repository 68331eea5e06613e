/** The lines a responder reads about a connection cut: the plan (exact node pod, rule, known connections) and what happened. */
import { display, escapeUntrusted, trusted, type DisplayText } from '../core/display/index.js';
import type { LiveConnection } from '../core/contain/plan-cut.js';
import type { CutOutcome } from './run-cut-connections.js';

function connection(c: LiveConnection): DisplayText {
  return display`${escapeUntrusted(`${c.proto} ${c.local_addr}:${c.local_port} <-> ${c.remote_addr}:${c.remote_port} ${c.state}`)} (pid ${escapeUntrusted(c.pids.join(',') || 'none')})`;
}

/** The plan part: what will be cut and how. */
export function describeCutPlan(outcome: CutOutcome): DisplayText[] {
  const { plan } = outcome;
  const lines: DisplayText[] = [trusted('Cut surviving connections (--cut-connections):'), display`  rule: ${escapeUntrusted(plan.rule)}`];
  if (plan.pod !== null) {
    const meta = plan.pod.metadata as { namespace: string; name: string };
    const spec = plan.pod.spec as { nodeName: string; activeDeadlineSeconds: number; containers: Array<{ image: string }> };
    lines.push(display`  from node pod ${escapeUntrusted(`${meta.namespace}/${meta.name}`)} on ${escapeUntrusted(spec.nodeName)}: privileged, hostPID, image ${escapeUntrusted(spec.containers[0]?.image ?? '')}, deleted afterwards, ends itself after ${spec.activeDeadlineSeconds} s`);
    lines.push(display`  guarded while it runs (only you may exec into, change or delete it); ${escapeUntrusted(meta.namespace)} is created on first use; the pod's name is drawn when it is placed`);
    for (const object of [...plan.guard, plan.pod]) lines.push(display`  exact object: ${escapeUntrusted(JSON.stringify(object))}`);
  }
  for (const note of plan.report) lines.push(display`  ! ${escapeUntrusted(note)}`);
  if (plan.known === null) lines.push(trusted('  the case has no capture of this pod yet: the connections are read on the node at the time of the cut'));
  else {
    lines.push(display`  the case's capture at ${escapeUntrusted(plan.known.captured_at)} saw ${plan.known.connections.length} connection(s) the rule selects (re-read on the node at the time of the cut):`);
    for (const c of plan.known.connections) lines.push(display`    ${connection(c)}`);
  }
  if (plan.refused !== null) lines.push(display`  NOT POSSIBLE: ${escapeUntrusted(plan.refused)}`);
  return lines;
}

/** The result part: what was cut, what still runs, what remains open. */
export function describeCutResult(outcome: CutOutcome): DisplayText[] {
  const lines: DisplayText[] = [];
  const v = outcome.verdict;
  if (outcome.status === 'dry-run') lines.push(trusted('  Dry run: no node pod was created and no connection was cut.'));
  if (outcome.status === 'not-confirmed') lines.push(trusted('  Not confirmed: no connection was cut. Run again with --yes.'));
  if (outcome.status === 'failed') lines.push(display`  CUT FAILED: ${escapeUntrusted(outcome.error ?? 'unknown')}`);
  if (v !== null) {
    for (const c of v.cut) lines.push(display`  cut ${connection(c)}`);
    if (v.outcome === 'nothing-to-cut') lines.push(trusted('  Nothing to cut: no connection the rule selects was open.'));
    lines.push(display`  conntrack flows deleted: ${v.conntrack_deleted}`);
    lines.push(display`  processes still running (same pid and start time): ${escapeUntrusted(v.running.map((p) => `${p.pid} ${p.comm ?? ''}`).join(', ') || 'none')}`);
    if (v.exited.length > 0) lines.push(display`  exited on their own after the cut (kustody sends no signal): ${escapeUntrusted(v.exited.map((p) => `${p.pid} ${p.comm ?? ''}`).join(', '))}`);
    for (const c of v.remaining) lines.push(display`  STILL OPEN after the cut: ${connection(c)}`);
    for (const c of v.redialed_udp ?? []) lines.push(display`  connected again after the cut (UDP, no handshake; its packets are new to the policy, which drops them): ${connection(c)}`);
    if (v.remaining.length === 0) lines.push(trusted('  Re-read on the node: no connection the rule selects remains.'));
  }
  for (const item of outcome.footprint) {
    if (item.remove !== undefined) lines.push(display`  LEFT ON THE CLUSTER: ${escapeUntrusted(`${item.kind ?? ''} ${item.name ?? item.pod ?? ''}: ${item.status ?? ''}; remove with ${item.remove}`)}`);
  }
  if (outcome.status === 'refused' || outcome.status === 'failed') {
    lines.push(trusted('  What would close the connections still open (listed below): `isolate --cut-connections --collector-image IMAGE` with an image holding BusyBox, ss and conntrack and the right to create a privileged pod in the kustody-system namespace; or delete the pod once it is captured.'));
  }
  return lines;
}
