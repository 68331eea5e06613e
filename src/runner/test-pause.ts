/**
 * TEST-ONLY fault injection for the playbook runner's crash and Ctrl-C tests. When the environment
 * variable KUSTODY_TEST_PAUSE lists a point (comma-separated), the runner writes
 * `KUSTODY_TEST_PAUSED <point>` to stderr when it reaches that point and waits there until the
 * process is killed or the run is interrupted (SIGINT), so a test can kill -9 at an exact place.
 * Points: `before-step:<stepId>` (step-start emitted, its intent not yet recorded),
 * `after-step:<stepId>` (its `done` row committed), `after-apply:<changeId>` (a change was sent to
 * the API server and not yet read back or recorded as applied). Never set it outside tests.
 */

/** The variable that names the pause points. */
export const TEST_PAUSE_ENV = 'KUSTODY_TEST_PAUSE';

/** Waits at `point` when the test variable names it; returns at once otherwise, or when `signal` fires. */
export async function testPause(point: string, signal?: AbortSignal, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const wanted = env[TEST_PAUSE_ENV];
  if (wanted === undefined || !wanted.split(',').includes(point)) return;
  process.stderr.write(`KUSTODY_TEST_PAUSED ${point}\n`);
  await new Promise<void>((resolve) => {
    // A long timer keeps the process alive while it waits to be killed; an interrupt lets the run carry on.
    const timer = setTimeout(resolve, 600_000);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
