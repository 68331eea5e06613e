// The step view: finished steps printed once (ink's Static), then the current step: what it does and
// why, the exact objects or commands it will apply, the typed confirmation or a spinner with elapsed
// time, and how the run ended. Presentational: the app feeds it the folded runner events.
import { Box, Static } from 'ink';
import type { ReactElement } from 'react';
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import { cutDisplay } from '../../core/display/fit-text.js';
import { Spinner, formatElapsed } from '../components/Spinner.js';
import { TypedConfirm } from '../components/TypedConfirm.js';
import { Txt } from '../components/Txt.js';
import type { ChecklistState, RunState, StepState } from '../state/run-state.js';

/** A waiting checklist: each item ticked or open (who, when, note), the cursor, and a note being typed. */
function ChecklistItems({ list, width }: { list: ChecklistState; width: number }): ReactElement {
  return (
    <Box flexDirection="column">
      <Txt bold>{trusted('Checklist (each tick is recorded with who and when):')}</Txt>
      {list.items.map((item, i) => {
        const mark = item.tick === null ? trusted('[ ]') : trusted('[x]');
        const by = item.tick === null ? trusted('') : display`  ✓ ${item.tick.by} ${escapeUntrusted(item.tick.at)}${item.tick.note === null ? trusted('') : display`: ${item.tick.note}`}`;
        return <Txt key={item.index} tone={item.tick === null ? undefined : 'ok'} wrap="wrap">{display`${i === list.cursor ? trusted('›') : trusted(' ')} ${mark} ${item.index}. ${item.text}${by}`}</Txt>;
      })}
      {list.note === null ? null : <Txt tone="accent">{cutDisplay(display`Note for item ${list.items[list.cursor]?.index ?? 0}: ${escapeUntrusted(list.note)}█  (Enter tick, Esc cancel)`, width)}</Txt>}
      {list.error === null ? null : <Txt tone="danger" wrap="wrap">{display`The tick was not recorded: ${list.error}`}</Txt>}
    </Box>
  );
}

/** Props of StepView. */
export interface StepViewProps {
  readonly run: RunState;
  readonly readOnly: boolean;
  readonly width: number;
  readonly rows: number;
}

const MARK: Readonly<Record<StepState['status'], string>> = { pending: '·', running: '›', confirming: '?', done: '✓', failed: '✗', declined: '–', interrupted: '⏸' };
const DANGER_TONE = { observe: 'ok', contain: 'warn', revoke: 'danger' } as const;

/** How a finished step is printed (once) above the live area. */
function FinishedStep({ step }: { step: StepState }): ReactElement {
  const took = step.elapsedMs === null ? trusted('') : display` in ${escapeUntrusted(formatElapsed(step.elapsedMs))}`;
  const how = step.status === 'done' ? escapeUntrusted(step.outcome ?? 'done') : escapeUntrusted(step.status);
  const tone = step.status === 'done' ? (step.outcome === 'warning' ? 'warn' : 'ok') : 'danger';
  return (
    <Box flexDirection="column">
      <Txt tone={tone} bold>{display`${escapeUntrusted(MARK[step.status])} ${escapeUntrusted(step.view.title)} (${escapeUntrusted(step.view.id)}): ${how}${took}`}</Txt>
      {step.summary.map((line, i) => <Txt key={i} wrap="wrap">{display`    ${line}`}</Txt>)}
      {step.error === null ? null : <Txt tone="danger" wrap="wrap">{display`    ${escapeUntrusted(step.error.code)}: ${step.error.message}`}</Txt>}
      {step.error?.nextStep ? <Txt tone="muted" wrap="wrap">{display`    next: ${step.error.nextStep}`}</Txt> : null}
      {step.status === 'declined' ? <Txt tone="muted">{trusted('    Nothing of this step was applied.')}</Txt> : null}
    </Box>
  );
}

function CurrentStep({ step, index, total, run, readOnly, width, rows }: StepViewProps & { step: StepState; index: number; total: number }): ReactElement {
  const danger = step.view.danger;
  const confirming = run.confirm !== null && run.confirm.stepId === step.view.id && !readOnly;
  const checklist = run.checklist !== null && run.checklist.stepId === step.view.id ? run.checklist : null;
  // Everything but the preview, so the frame stays shorter than the terminal (ink redraws a full one from scratch).
  const whyLines = Math.ceil((5 + step.view.why.length) / Math.max(20, width)) + (step.view.does ?? []).slice(0, 4).reduce((n, l) => n + Math.ceil((l.length + 1) / Math.max(20, width)), 0);
  const fixed = 6 + whyLines + (step.view.verify === null ? 0 : 1) + (step.view.undo === null ? 0 : 1) + (confirming ? 5 : 1) + (run.interrupting ? 1 : 0);
  const previewRoom = Math.max(3, rows - 1 - fixed);
  const start = Math.min(run.previewScroll, Math.max(0, step.preview.length - previewRoom));
  const shown = step.preview.slice(start, start + previewRoom);
  const hidden = step.preview.length - shown.length;
  return (
    <Box flexDirection="column">
      <Txt bold>
        {display`Step ${index + 1} of ${total} · ${escapeUntrusted(step.view.title)}  `}
        <Txt tone={DANGER_TONE[danger]} inverse>{display` ${escapeUntrusted(danger.toUpperCase())} `}</Txt>
      </Txt>
      {(step.view.does ?? []).slice(0, 4).map((line, i) => <Txt key={`does-${i}`} wrap="wrap">{line}</Txt>)}
      <Txt wrap="wrap" tone="muted">{display`Why: ${escapeUntrusted(step.view.why)}`}</Txt>
      {checklist !== null ? <ChecklistItems list={checklist} width={width} /> : null}
      {shown.length === 0 || checklist !== null ? null : <Txt bold>{danger === 'observe' ? trusted('What it reads:') : trusted('What it will apply (exactly):')}</Txt>}
      {checklist !== null ? null : shown.map((line, i) => <Txt key={start + i}>{cutDisplay(display`  ${line}`, width)}</Txt>)}
      {hidden > 0 && checklist === null ? <Txt tone="muted">{display`  … ${hidden} more line(s) of the plan: PgUp/PgDn to scroll`}</Txt> : null}
      {step.view.verify === null ? null : <Txt tone="muted">{cutDisplay(display`Verify: ${escapeUntrusted(step.view.verify)}`, width)}</Txt>}
      {step.view.undo === null ? null : <Txt tone="muted">{cutDisplay(display`Undo: ${escapeUntrusted(step.view.undo)}`, width)}</Txt>}
      {confirming && run.confirm !== null ? <TypedConfirm confirm={run.confirm} danger={danger} /> : null}
      {!confirming && checklist === null && step.status === 'running' && step.startedAt !== null ? <Spinner startedAt={step.startedAt} label={step.progress ?? trusted('')} /> : null}
    </Box>
  );
}

// The runner's own `next` speaks in headless flags (--resume --yes); here resuming is one key.
function endingText(run: RunState): DisplayText | null {
  if (run.finished === null) return null;
  const status = escapeUntrusted(run.finished.status);
  if (['interrupted', 'failed', 'needs-confirmation'].includes(run.finished.status) && run.plan?.dryRun === false) {
    return display`Run ${status}. Press r to resume it here: finished steps are skipped, and changes already in effect are never sent again.`;
  }
  return display`Run ${status}.${run.finished.next === null ? trusted('') : display` ${run.finished.next}`}`;
}

function footer(run: RunState): DisplayText {
  if (run.finished === null && run.checklist !== null && !run.checklist.leaving) return trusted('↑↓ choose  x tick  n tick with a note  Enter continue (open items stay open)  ? help');
  if (run.finished === null) return trusted('? help  Ctrl-C stop after the current change');
  const resumable = ['interrupted', 'failed', 'needs-confirmation'].includes(run.finished.status) && run.plan?.dryRun === false;
  return resumable ? trusted('r resume the run here  e browse the evidence  Esc start screen  q quit') : trusted('e browse the evidence  Esc start screen  q quit');
}

/** Renders the run: finished steps once, the current step live, and the ending. */
export function StepView(props: StepViewProps): ReactElement {
  const { run, readOnly, width } = props;
  const finished = run.finishedOrder.map((id) => run.steps.find((s) => s.view.id === id)).filter((s): s is StepState => s !== undefined);
  const index = run.steps.findIndex((s) => s.view.id === run.current);
  const current = run.steps[index];
  const plan = run.plan;
  const flags = `${plan?.dryRun === true ? ' · DRY RUN: nothing in the cluster changes' : ''}${plan?.resumed === true ? ' · resumed' : ''}${readOnly ? ' · read-only' : ''}`;
  const ending = endingText(run);
  return (
    <Box flexDirection="column" width={width}>
      <Static items={finished}>{(step) => <FinishedStep key={step.view.id} step={step} />}</Static>
      <Txt bold tone="accent">
        {plan === null ? trusted('Starting the run…') : cutDisplay(display`${escapeUntrusted(plan.playbook.title)} · ${escapeUntrusted(plan.target)} · case ${escapeUntrusted(plan.caseId)}${escapeUntrusted(flags)}`, width)}
      </Txt>
      {run.startError === null ? null : <Txt tone="danger" wrap="wrap">{display`The run could not start: ${run.startError}`}</Txt>}
      {current === undefined || run.finished !== null ? null : <CurrentStep {...props} step={current} index={index} total={run.steps.length} />}
      {run.interrupting && run.finished === null ? <Txt tone="warn">{trusted('Stopping: the change in flight finishes, then the step is recorded as interrupted (Ctrl-C again to leave now).')}</Txt> : null}
      {ending === null ? null : <Txt tone={run.finished?.status === 'completed' || run.finished?.status === 'dry-run' ? 'ok' : 'warn'} wrap="wrap">{ending}</Txt>}
      <Txt tone="muted">{cutDisplay(footer(run), width)}</Txt>
    </Box>
  );
}
