// Connects the playbook runner to the UI: its events go into the flow reducer (stamped with the local
// clock for the spinner), its confirm port waits for the typed confirmation, and Ctrl-C aborts it.
import { useCallback, useRef, type Dispatch } from 'react';
import { redactError } from '../../core/display/index.js';
import type { ChecklistPort, ConfirmPort, PlaybookEvent, TickItem } from '../../runner/playbook-events.js';
import type { RunPorts } from '../ports.js';
import type { FlowAction } from '../state/flow.js';

/** What the app does with a run: start one, answer its confirmation, stop it. */
export interface RunHandle {
  /** New ports for a run (a fresh abort signal, no pending confirmation). */
  readonly begin: () => RunPorts;
  /** Resolves the pending confirmation; true only after the flow checked the typed text matched exactly. */
  readonly answer: (ok: boolean) => void;
  /** Ticks an item of the waiting checklist (the runner records it and emits `checked`). */
  readonly tick: (index: number, note: string | null) => void;
  /** Lets the waiting checklist step end (open items stay open). */
  readonly leaveChecklist: () => void;
  /** Asks the runner to stop at its next safe point. */
  readonly interrupt: () => void;
}

/** Returns the run plumbing; events are dispatched as `run-event` actions. */
export function useRunEvents(dispatch: Dispatch<FlowAction>): RunHandle {
  const pending = useRef<((ok: boolean) => void) | null>(null);
  const controller = useRef<AbortController | null>(null);
  const checklist = useRef<{ tick: TickItem; done: () => void } | null>(null);
  const begin = useCallback((): RunPorts => {
    controller.current = new AbortController();
    pending.current = null;
    checklist.current = null;
    const emit = (event: PlaybookEvent): void => dispatch({ type: 'run-event', event, at: Date.now() });
    const confirm: ConfirmPort = (_stepId, _expected) => new Promise<boolean>((resolve) => {
      pending.current = resolve;
    });
    const waitChecklist: ChecklistPort = (_stepId, tick) => new Promise<void>((resolve) => {
      checklist.current = { tick, done: resolve };
    });
    return { emit, confirm, checklist: waitChecklist, signal: controller.current.signal };
  }, [dispatch]);
  const answer = useCallback((ok: boolean) => {
    const resolve = pending.current;
    pending.current = null;
    resolve?.(ok);
  }, []);
  const tick = useCallback((index: number, note: string | null) => {
    checklist.current?.tick(index, note).catch((error: unknown) => dispatch({ type: 'tick-failed', message: redactError(error) }));
  }, [dispatch]);
  const leaveChecklist = useCallback(() => {
    const done = checklist.current?.done;
    checklist.current = null;
    done?.();
  }, []);
  const interrupt = useCallback(() => controller.current?.abort(), []);
  return { begin, answer, tick, leaveChecklist, interrupt };
}
