/**
 * The words a playbook run prints while it waits and when it stops: a wait line (what, elapsed,
 * timeout), and next-step hints made true for the run at hand (a dry run cannot be resumed; inside a
 * run --debug adds nothing, since the runner reports the error itself). Pure.
 */

/** How often a run says it is still waiting, at most and (headless) at least. */
export const PROGRESS_EVERY_MS = 5000;

/** "waiting for X: 12 s elapsed, timeout 90 s" (or without the timeout when there is none). */
export function waitMessage(what: string, elapsedSeconds: number, timeoutSeconds: number | null): string {
  return `waiting for ${what}: ${Math.max(0, Math.floor(elapsedSeconds))} s elapsed${timeoutSeconds === null ? '' : `, timeout ${timeoutSeconds} s`}`;
}

const BUG_REPORT = 'If it looks like a bug in kustody, report it with this output and the custody log (kustody case show CASE).';

/** Splits a hint into sentences, keeping each one's final punctuation. */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/).filter((s) => s.trim() !== '');
}

/**
 * A step error's next step, made true for this run: sentences suggesting --debug are replaced (the
 * runner already printed all there is) and, in a dry run, "run again with --resume" becomes "run the
 * dry run again" (a dry run changed nothing and cannot be resumed). Null when nothing true is left.
 */
export function stepHint(nextStep: string | null | undefined, context: { dryRun: boolean }): string | null {
  if (nextStep === null || nextStep === undefined) return null;
  const out: string[] = [];
  for (const sentence of sentences(nextStep)) {
    let s = sentence;
    if (/--debug/.test(s)) {
      if (/bug|report/i.test(s.replace(/--debug/g, '')) && !out.includes(BUG_REPORT)) out.push(BUG_REPORT);
      continue;
    }
    if (context.dryRun && /--resume/.test(s)) {
      s = s
        .replace(/Run the same command again with --resume[^.]*/g, 'Run the same dry run again')
        .replace(/(?:run (?:it )?again|continue)(?: with| plus)?(?: the same command plus)? --resume(?: --yes)?[^.]*/gi, 'run the dry run again');
      if (/--resume/.test(s)) continue;
    }
    out.push(s);
  }
  return out.length === 0 ? null : out.join(' ');
}

/** The closing hint of a run that failed or was interrupted. */
export function stoppedHint(status: 'failed' | 'interrupted', context: { dryRun: boolean; stepId: string | null }): string {
  if (context.dryRun) {
    return status === 'failed'
      ? 'Fix the cause, then run the dry run again (it changed nothing in the cluster; a dry run is not resumed).'
      : 'The dry run was interrupted; it changed nothing in the cluster. Run it again when ready.';
  }
  if (status === 'failed') return 'Fix the cause, then continue with the same command plus --resume (finished steps are skipped, changes already in effect are not sent again).';
  return context.stepId === null ? 'Interrupted between steps; continue with the same command plus --resume.' : `Step ${context.stepId} was interrupted; continue with the same command plus --resume.`;
}
