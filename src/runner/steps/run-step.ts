/** Dispatches a playbook step to the code that runs its action. */
import { checkExhaustive } from '../../core/errors.js';
import type { PlaybookStep } from '../../core/playbook/types.js';
import { runAuditStep } from './audit-step.js';
import { runCommandStep } from './command-step.js';
import { runIsolateStep, runReleaseStep } from './contain-steps.js';
import { runCaptureStep, runChecklistStep, runExportStep, runIdentitiesStep } from './observe-steps.js';
import { runRevokeStep } from './revoke-step.js';
import { runSweepStep } from './sweep-step.js';
import type { StepContext, StepResult } from './step-context.js';

/** Whether the step records its own `intent` row (after planning, with the plan) instead of the runner recording it at the start. */
export function recordsOwnIntent(step: PlaybookStep): boolean {
  return step.action === 'isolate' || step.action === 'release' || step.action === 'revoke' || step.action === 'sweep' || step.action === 'command';
}

/** Runs one step with its typed parameters. */
export async function runStep(ctx: StepContext, step: PlaybookStep): Promise<StepResult> {
  switch (step.action) {
    case 'capture': return runCaptureStep(ctx, step.params);
    case 'isolate': return runIsolateStep(ctx, step.params);
    case 'release': return runReleaseStep(ctx);
    case 'identities': return runIdentitiesStep(ctx);
    case 'audit': return runAuditStep(ctx);
    case 'revoke': return runRevokeStep(ctx, step.params);
    case 'sweep': return runSweepStep(ctx, step.params);
    case 'export': return runExportStep(ctx);
    case 'checklist': return runChecklistStep(ctx, step.title, step.params);
    case 'command': return runCommandStep(ctx, step.params, step.danger, step.confirm);
    default: return checkExhaustive(step);
  }
}
