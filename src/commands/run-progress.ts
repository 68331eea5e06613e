/** Prints playbook runner events headless: one line per step (plans of contain and revoke steps when they need review), or one JSON line per event. */
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import type { PlaybookEvent, PlaybookEventSink, PlanStepView } from '../runner/playbook-events.js';
import type { CommandIo } from './command.js';

/** An event sink that writes progress to `io`. */
export function headlessPrinter(io: CommandIo, json: boolean): PlaybookEventSink {
  if (json) return (event) => io.out(toSafeJson(event));
  let steps: PlanStepView[] = [];
  let dryRun = false;
  const previews = new Map<string, DisplayText[]>();
  const label = (stepId: string) => {
    const index = steps.findIndex((s) => s.id === stepId);
    return display`[${index + 1}/${steps.length}] ${escapeUntrusted(stepId.padEnd(14))}`;
  };
  const mutates = (stepId: string) => steps.find((s) => s.id === stepId)?.danger !== 'observe';
  const showPreview = (stepId: string) => { for (const line of previews.get(stepId) ?? []) io.out(display`      ${line}`); };
  return (event: PlaybookEvent) => {
    switch (event.type) {
      case 'plan':
        steps = event.steps;
        dryRun = event.dryRun;
        io.out(display`${event.resumed ? trusted('Resuming') : trusted('Running')} ${escapeUntrusted(event.playbook.id)} against ${escapeUntrusted(event.target)} (case ${escapeUntrusted(event.caseId)}, ${escapeUntrusted(event.runId)})${dryRun ? trusted(': DRY RUN, nothing in the cluster changes') : trusted('')}`);
        return;
      case 'preview':
        previews.set(event.stepId, [...(previews.get(event.stepId) ?? []), ...event.lines]);
        return;
      case 'step-done': {
        const [first, ...rest] = event.summary;
        if (dryRun && mutates(event.stepId)) showPreview(event.stepId);
        io.out(display`${label(event.stepId)} ${escapeUntrusted(event.outcome.padEnd(13))} ${escapeUntrusted(`${(event.elapsedMs / 1000).toFixed(1)} s`.padStart(7))}  ${first ?? trusted('')}`);
        if (event.outcome === 'warning') for (const line of rest) io.out(display`      ${line}`);
        if (steps.find((s) => s.id === event.stepId)?.action === 'checklist') showPreview(event.stepId);
        return;
      }
      case 'step-declined':
        showPreview(event.stepId);
        io.out(display`${label(event.stepId)} needs confirmation`);
        return;
      case 'step-failed':
        io.out(display`${label(event.stepId)} FAILED        ${escapeUntrusted(`${(event.elapsedMs / 1000).toFixed(1)} s`.padStart(7))}  ${escapeUntrusted(event.error.code)}: ${event.error.message}`);
        if (event.error.nextStep !== null) io.out(display`      next: ${event.error.nextStep}`);
        return;
      case 'interrupted':
        if (event.stepId !== null) io.out(display`${label(event.stepId)} interrupted`);
        return;
      case 'finished':
        io.out(display`Run ${escapeUntrusted(event.runId)}: ${escapeUntrusted(event.status)}`);
        if (event.next !== null) io.out(event.next);
        return;
      case 'step-start':
      case 'confirm':
      case 'progress':
        return;
    }
  };
}
