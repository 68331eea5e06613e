#!/usr/bin/env node
// kustody for crash tests: the built CLI with a pause hook installed. When KUSTODY_TEST_PAUSE lists a
// point (comma-separated), the run writes `KUSTODY_TEST_PAUSED <point>` to stderr there and waits
// until it is killed or interrupted (SIGINT), so a test can kill -9 at an exact place; SIGUSR2 lets a
// run with no interrupt signal at that point carry on (a test that acts on the cluster while it waits). The shipped
// entry point (bin/kustody.js) has no hook, so the variable does nothing there.
import { installPauseHook } from '../../dist/runner/pause-points.js';
import { main } from '../../dist/cli.js';

const wanted = (process.env.KUSTODY_TEST_PAUSE ?? '').split(',').filter((p) => p !== '');

installPauseHook(async (point, signal) => {
  if (!wanted.includes(point)) return;
  process.stderr.write(`KUSTODY_TEST_PAUSED ${point}\n`);
  await new Promise((resolve) => {
    // A long timer keeps the process alive while it waits to be killed; an interrupt lets the run carry on.
    const timer = setTimeout(resolve, 600_000);
    process.once('SIGUSR2', () => {
      clearTimeout(timer);
      resolve();
    });
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
});

process.exitCode = await main(process.argv.slice(2));
