/**
 * Named points in the playbook runner where a crash test can hold a run to kill it at an exact place:
 * `before-step:<stepId>` (step-start emitted, its intent not yet recorded), `after-step:<stepId>` (its
 * `done` row committed), `after-apply:<changeId>` (a change reached the API server, not yet read back
 * or recorded as applied); in `kustody revoke`, `revoke:before-apply` (the plan shown, nothing sent); in
 * `kustody audit ingest`, `audit-ingest:after-batch` (a batch committed, more to come). The shipped
 * program never pauses: nothing in it installs a hook, and no environment variable or flag can. Only
 * the test harness (test/helpers/pausable-kustody.mjs), which imports this module before starting the
 * CLI in its own process, installs one.
 */

/** Holds the run at `point` until it returns; `signal` fires when the run is interrupted. */
export type PauseHook = (point: string, signal?: AbortSignal) => Promise<void>;

let hook: PauseHook | null = null;

/** Installs the hook the runner calls at each pause point (test harness only). */
export function installPauseHook(pause: PauseHook): void {
  hook = pause;
}

/** Marks a pause point: returns at once unless a test harness installed a hook. */
export async function pausePoint(point: string, signal?: AbortSignal): Promise<void> {
  if (hook !== null) await hook(point, signal);
}
