/** Reports a step's wait as progress events: once when it begins, then at most every PROGRESS_EVERY_MS on each poll. */
import { performance } from 'node:perf_hooks';
import { escapeUntrusted, type DisplayText } from '../core/display/index.js';
import { PROGRESS_EVERY_MS, waitMessage } from '../core/playbook/run-messages.js';
import type { WaitView } from './playbook-events.js';

/** A wait in progress: `poll` reports it again (with `what` updated, if given) when PROGRESS_EVERY_MS has passed since the last report. */
export interface StepWait {
  poll(what?: DisplayText): void;
}

/** Starts a wait and reports it at once through `emit`. */
export function startWait(emit: (event: { message: DisplayText; wait: WaitView }) => void, what: DisplayText, timeoutSeconds: number | null, now: () => number = () => performance.now()): StepWait {
  const began = now();
  let last = began;
  let current = what;
  const report = () => {
    const elapsedSeconds = Math.floor((now() - began) / 1000);
    emit({ message: escapeUntrusted(waitMessage(current, elapsedSeconds, timeoutSeconds)), wait: { what: current, elapsedSeconds, timeoutSeconds } });
  };
  report();
  return {
    poll(next) {
      if (next !== undefined) current = next;
      if (now() - last < PROGRESS_EVERY_MS) return;
      last = now();
      report();
    },
  };
}
