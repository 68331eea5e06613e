/** Checks the `needs` graph of a playbook's steps: known ids, no cycles, and nothing needed from a later step. Pure. */
import type { Node } from 'yaml';
import type { PlaybookStep } from './types.js';
import { report, type ReadContext } from './yaml-reader.js';

/** Reports unknown step ids, cycles (once each, with the path) and needs on steps that run later. */
export function checkNeeds(ctx: ReadContext, steps: readonly PlaybookStep[], needNodes: ReadonlyMap<string, Node | null>): void {
  const order = new Map(steps.map((s, i) => [s.id, i]));
  const graph = new Map(steps.map((s) => [s.id, s.needs.filter((n) => order.has(n))]));
  for (const step of steps) {
    for (const need of step.needs) if (!order.has(need)) report(ctx, needNodes.get(step.id) ?? null, `Step "${step.id}" needs "${need}", which is not a step of this playbook.`);
  }
  const inCycle = new Set<string>();
  for (const step of steps) {
    const cycle = findCycle(step.id, graph);
    if (cycle === null || cycle.some((id) => inCycle.has(id))) continue;
    for (const id of cycle) inCycle.add(id);
    report(ctx, needNodes.get(step.id) ?? null, `The needs of step "${step.id}" form a cycle: ${[...cycle, cycle[0]].join(' → ')}.`);
  }
  for (const step of steps) {
    if (inCycle.has(step.id)) continue;
    for (const need of graph.get(step.id) ?? []) {
      if ((order.get(need) ?? 0) > (order.get(step.id) ?? 0)) report(ctx, needNodes.get(step.id) ?? null, `Step "${step.id}" needs "${need}", which comes later; steps run in order, so move "${need}" before it.`);
    }
  }
}

/** A cycle through `start` as the list of ids from `start`, or null. */
function findCycle(start: string, graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const path: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): string[] | null => {
    if (id === start && path.length > 0) return [...path];
    if (seen.has(id)) return null;
    seen.add(id);
    path.push(id);
    for (const next of graph.get(id) ?? []) {
      const found = visit(next);
      if (found !== null) return found;
    }
    path.pop();
    return null;
  };
  return visit(start);
}
