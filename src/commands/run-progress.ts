/**
 * Prints playbook runner events headless: the plan before anything acts, a line when each step starts,
 * its progress and waits (what, elapsed, timeout), repeated every few seconds while a step is quiet,
 * and one line per finished step (plans of contain and revoke steps when they need review); or one
 * JSON line per event.
 */
import { performance } from 'node:perf_hooks';
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { PROGRESS_EVERY_MS, waitMessage } from '../core/playbook/run-messages.js';
import type { PlaybookEvent, PlaybookEventSink, PlanStepView, WaitView } from '../runner/playbook-events.js';
import type { CommandIo } from './command.js';

/** The clock and timer the printer uses (a test may give its own). */
export interface PrinterClock {
  now(): number;
  every(ms: number, tick: () => void): { stop(): void };
}

const realClock: PrinterClock = {
  now: () => performance.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    // Never keeps the process alive on its own.
    timer.unref();
    return { stop: () => clearInterval(timer) };
  },
};

/** The running step the printer repeats while it is quiet. */
interface Running {
  stepId: string;
  startedAt: number;
  lastPrintAt: number;
  wait: { view: WaitView; receivedAt: number } | null;
  lastMessage: DisplayText | null;
}

function planLines(steps: readonly PlanStepView[], resumed: boolean): DisplayText[] {
  const lines: DisplayText[] = [display`Plan (${steps.length} steps):`];
  for (const [i, step] of steps.entries()) {
    const notes = [step.confirm ? 'asks for confirmation (--yes)' : '', resumed && step.state === 'done' ? 'done earlier, skipped' : ''].filter((n) => n !== '').join('; ');
    lines.push(display`  ${i + 1}. ${escapeUntrusted(step.id.padEnd(14))} ${escapeUntrusted(step.danger.padEnd(8))} ${escapeUntrusted(step.title)}${notes === '' ? trusted('') : display`  (${escapeUntrusted(notes)})`}`);
    const does = step.does?.[0];
    if (does !== undefined) lines.push(display`        ${does}`);
  }
  return lines;
}

/** An event sink that writes progress to `io`; `clock` is the real one unless a test gives its own. */
export function headlessPrinter(io: CommandIo, json: boolean, clock: PrinterClock = realClock): PlaybookEventSink {
  if (json) return (event) => io.out(toSafeJson(event));
  let steps: PlanStepView[] = [];
  let dryRun = false;
  let running: Running | null = null;
  let heartbeat: { stop(): void } | null = null;
  const previews = new Map<string, DisplayText[]>();
  const label = (stepId: string) => {
    const index = steps.findIndex((s) => s.id === stepId);
    return display`[${index + 1}/${steps.length}] ${escapeUntrusted(stepId.padEnd(14))}`;
  };
  const mutates = (stepId: string) => steps.find((s) => s.id === stepId)?.danger !== 'observe';
  const showPreview = (stepId: string) => { for (const line of previews.get(stepId) ?? []) io.out(display`      ${line}`); };
  const stepLine = (stepId: string, text: DisplayText) => {
    if (running?.stepId === stepId) running.lastPrintAt = clock.now();
    io.out(display`${label(stepId)} ${text}`);
  };
  const stillRunning = () => {
    const r = running;
    if (r === null || clock.now() - r.lastPrintAt < PROGRESS_EVERY_MS) return;
    const elapsed = Math.floor((clock.now() - r.startedAt) / 1000);
    if (r.wait !== null) {
      const waited = r.wait.view.elapsedSeconds + (clock.now() - r.wait.receivedAt) / 1000;
      stepLine(r.stepId, display`still running (${elapsed} s): ${escapeUntrusted(waitMessage(r.wait.view.what, waited, r.wait.view.timeoutSeconds))}`);
    } else {
      stepLine(r.stepId, display`still running (${elapsed} s)${r.lastMessage === null ? trusted('') : display`; last: ${r.lastMessage}`}`);
    }
  };
  const stop = () => {
    heartbeat?.stop();
    heartbeat = null;
    running = null;
  };
  return (event: PlaybookEvent) => {
    switch (event.type) {
      case 'plan':
        steps = event.steps;
        dryRun = event.dryRun;
        io.out(display`${event.resumed ? trusted('Resuming') : trusted('Running')} ${escapeUntrusted(event.playbook.id)} against ${escapeUntrusted(event.target)} (case ${escapeUntrusted(event.caseId)}, ${escapeUntrusted(event.runId)})${dryRun ? trusted(': DRY RUN, nothing in the cluster changes') : trusted('')}`);
        for (const line of planLines(steps, event.resumed)) io.out(line);
        return;
      case 'step-start': {
        stop();
        const now = clock.now();
        running = { stepId: event.stepId, startedAt: now, lastPrintAt: now, wait: null, lastMessage: null };
        const title = steps.find((s) => s.id === event.stepId)?.title ?? '';
        stepLine(event.stepId, display`started: ${escapeUntrusted(title)}`);
        heartbeat = clock.every(PROGRESS_EVERY_MS, stillRunning);
        return;
      }
      case 'progress':
        if (running?.stepId === event.stepId) {
          running.lastMessage = event.message;
          running.wait = event.wait === undefined ? running.wait : { view: event.wait, receivedAt: clock.now() };
        }
        stepLine(event.stepId, event.message);
        return;
      case 'preview':
        previews.set(event.stepId, [...(previews.get(event.stepId) ?? []), ...event.lines]);
        return;
      case 'step-done': {
        stop();
        const [first, ...rest] = event.summary;
        if (dryRun && mutates(event.stepId)) showPreview(event.stepId);
        io.out(display`${label(event.stepId)} ${escapeUntrusted(event.outcome.padEnd(13))} ${escapeUntrusted(`${(event.elapsedMs / 1000).toFixed(1)} s`.padStart(7))}  ${first ?? trusted('')}`);
        if (event.outcome === 'warning') for (const line of rest) io.out(display`      ${line}`);
        if (steps.find((s) => s.id === event.stepId)?.action === 'checklist') showPreview(event.stepId);
        return;
      }
      case 'step-declined':
        stop();
        showPreview(event.stepId);
        io.out(display`${label(event.stepId)} needs confirmation`);
        return;
      case 'step-failed':
        stop();
        io.out(display`${label(event.stepId)} FAILED        ${escapeUntrusted(`${(event.elapsedMs / 1000).toFixed(1)} s`.padStart(7))}  ${escapeUntrusted(event.error.code)}: ${event.error.message}`);
        if (event.error.nextStep !== null) io.out(display`      next: ${event.error.nextStep}`);
        return;
      case 'interrupted':
        stop();
        if (event.stepId !== null) io.out(display`${label(event.stepId)} interrupted`);
        return;
      case 'finished':
        stop();
        io.out(display`Run ${escapeUntrusted(event.runId)}: ${escapeUntrusted(event.status)}`);
        if (event.next !== null) io.out(event.next);
        return;
      case 'confirm':
      case 'checklist':
      case 'checked':
        return;
    }
  };
}
