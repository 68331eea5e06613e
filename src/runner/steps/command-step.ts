/**
 * The command step: a responder-supplied program run with an argv (never a shell), its output redacted,
 * capped, hashed and stored in the case. A command that declares contain or revoke danger is
 * confirmed like any change and is not run at all in a dry run.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { display, escapeUntrusted, type DisplayText } from '../../core/display/index.js';
import { KustodyError } from '../../core/errors.js';
import { expandArgv } from '../../core/playbook/step-params.js';
import type { CommandParams, StepDanger } from '../../core/playbook/types.js';
import { findProgram, runCommand } from '../../adapters/command/run-command.js';
import { recordAction } from '../../adapters/store/case-store.js';
import { utcNow } from '../../adapters/system/responder-env.js';
import { InterruptedError, type StepContext, type StepResult } from './step-context.js';

/** Runs the step's argv; a failing observe command is a warning, a failing contain or revoke command a failure. */
export async function runCommandStep(ctx: StepContext, params: CommandParams, danger: StepDanger, confirm: boolean): Promise<StepResult> {
  const { namespace, pod } = ctx.target;
  const argv = expandArgv(params.argv, { 'target.namespace': namespace, 'target.pod': pod, 'case.id': ctx.session.caseId, 'case.dir': ctx.session.caseDir });
  const [name = '', ...args] = withKubeContext(argv, ctx.options.kubeContext);
  ctx.preview([display`runs (no shell): ${escapeUntrusted(JSON.stringify([name, ...args]))}`]);
  const mutates = danger !== 'observe';
  if (mutates && ctx.dryRun) return { outcome: 'dry-run', summary: [display`not run: a ${escapeUntrusted(danger)} command is never run in a dry run`], detail: null };
  if ((mutates || confirm) && !(await ctx.confirm())) return { outcome: 'declined', summary: [], detail: null };
  const program = await findProgram(name, ctx.options.commandEnv.PATH ?? process.env.PATH);
  const target = `pod:${namespace}/${pod}`;
  const kind = danger === 'observe' ? 'observe' : danger;
  if (program === null) {
    recordAction(ctx.session.db, { at: utcNow(), actor: ctx.session.actor, kind, target, detail: { step: 'command', program: name, error: 'not found on PATH' }, outcome: 'failed' });
    if (mutates) throw new KustodyError('COMMAND_NOT_FOUND', `The program ${name} was not found on PATH.`, { nextStep: 'Install it, or give its absolute path in the playbook, then run again with --resume.' });
    return { outcome: 'warning', summary: [display`${escapeUntrusted(name)} was not found on PATH; nothing ran`], detail: { program: name, found: false } };
  }
  ctx.recordIntent(null);
  ctx.waiting(display`${escapeUntrusted(name)} to exit`, params.timeoutSeconds);
  const result = await runCommand({ program, args, displayName: name, env: process.env, extraEnv: ctx.options.kubeContext === undefined ? ctx.options.commandEnv : { ...ctx.options.commandEnv, KUSTODY_CONTEXT: ctx.options.kubeContext }, timeoutMs: params.timeoutSeconds * 1000, signal: ctx.signal });
  const stdout = Buffer.from(result.stdout);
  const artifact = { sha256: createHash('sha256').update(stdout).digest('hex'), size: stdout.length, mediaType: 'text/plain', source: `command:${name}`, vantage: 'local', collectedAt: utcNow(), truncated: result.stdoutTruncated, content: stdout };
  const ok = result.exitCode === 0 && !result.timedOut;
  recordAction(ctx.session.db, {
    at: utcNow(), actor: ctx.session.actor, kind, target,
    detail: { step: 'command', argv: [...result.argv], exit: result.exit, duration_ms: result.durationMs, stderr: result.stderr.slice(0, 4096), stdout_truncated: result.stdoutTruncated, interrupted: ctx.signal.aborted },
    outcome: ctx.signal.aborted ? 'interrupted' : ok ? 'ok' : 'failed',
  }, undefined, [artifact]);
  if (ctx.signal.aborted) throw new InterruptedError();
  const summary: DisplayText[] = [display`${escapeUntrusted(name)} exited ${escapeUntrusted(result.exit)} after ${result.durationMs} ms; ${stdout.length} bytes of output stored (sha256 ${escapeUntrusted(artifact.sha256.slice(0, 16))}…)`];
  if (!ok && mutates) throw new KustodyError('COMMAND_FAILED', `${name} exited ${result.exit}.`, { nextStep: 'Read its stderr in the custody log (kustody case show), fix the cause, then run again with --resume.' });
  return { outcome: ok ? 'done' : 'warning', summary, detail: { exit: result.exit, sha256: artifact.sha256 } };
}

/** A `kubectl` step talks to the cluster kustody talks to: `--context=NAME` goes first unless the playbook chose a context itself. */
function withKubeContext(argv: readonly string[], context: string | undefined): string[] {
  const [name = '', ...args] = argv;
  if (context === undefined || context === '' || basename(name) !== 'kubectl' || args.some((a) => a === '--context' || a.startsWith('--context='))) return [...argv];
  return [name, `--context=${context}`, ...args];
}
