// The exercise replay screens (x on the start screen): pick a shipped scenario, then watch its replay
// from the recorded lab run (no cluster) and read the score and after-action summary. Presentational.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import { display, escapeUntrusted, trusted } from '../../core/display/index.js';
import { cutDisplay } from '../../core/display/fit-text.js';
import type { ReplayState } from '../state/replay-state.js';
import { Txt } from '../components/Txt.js';

/** The list of shipped scenarios to replay. */
export function ReplayPick({ replay, width }: { replay: ReplayState; width: number }): ReactElement {
  const list = replay.scenarios;
  return (
    <Box flexDirection="column" width={width}>
      <Txt bold tone="accent">{trusted('Tabletop exercise replay: no cluster needed')}</Txt>
      <Txt tone="muted" wrap="wrap">{trusted('Plays a scenario from a recorded run on the kustody lab: the attacker\'s actions and injects on the scenario clock, the lab team\'s response simulated into a new case, then the score and the after-action summary.')}</Txt>
      <Txt>{trusted(' ')}</Txt>
      {replay.error === null ? null : <Txt tone="danger" wrap="wrap">{display`The scenarios could not be read: ${escapeUntrusted(replay.error, { maxBytes: 1024 })}`}</Txt>}
      {list === null ? <Txt tone="muted">{trusted('Reading the shipped scenarios…')}</Txt> : null}
      {list !== null && list.length === 0 && replay.error === null ? <Txt tone="warn">{trusted('No shipped scenario has a recording to replay.')}</Txt> : null}
      {(list ?? []).map((s, i) => (
        <Txt key={s.id} inverse={i === replay.selected}>{cutDisplay(display`${i === replay.selected ? trusted('›') : trusted(' ')} ${escapeUntrusted(s.id)}: ${escapeUntrusted(s.title)} (${s.durationMinutes} min)`, width)}</Txt>
      ))}
      {list?.[replay.selected] === undefined ? null : <Txt tone="muted" wrap="wrap">{display`  ${escapeUntrusted(list[replay.selected]?.summary ?? '', { maxBytes: 1024 })}`}</Txt>}
      <Txt>{trusted(' ')}</Txt>
      <Txt tone="muted">{cutDisplay(trusted('↑↓ choose  Enter replay  Esc back  q quit'), width)}</Txt>
    </Box>
  );
}

/** A replay under way (its progress) and, once over, its summary. */
export function ReplayProgress({ replay, width, rows }: { replay: ReplayState; width: number; rows: number }): ReactElement {
  const summary = replay.outcome?.summary ?? [];
  const room = Math.max(3, rows - 4 - summary.length);
  const footer = replay.running
    ? (replay.stopping ? trusted('Stopping the replay…') : trusted('Esc stop the replay  q quit'))
    : replay.outcome !== null ? trusted('e browse the replay\'s case  Esc back  q quit') : trusted('Esc back  q quit');
  return (
    <Box flexDirection="column" width={width}>
      <Txt bold tone="accent">{cutDisplay(replay.running ? trusted('Replaying (no cluster; every change simulated)…') : replay.outcome === null ? trusted('Replay failed') : display`Replay ${escapeUntrusted(replay.outcome.status)}`, width)}</Txt>
      {replay.lines.slice(-room).map((line, i) => <Txt key={`p${i}`} tone="muted">{cutDisplay(escapeUntrusted(line, { maxBytes: 2000 }), width)}</Txt>)}
      {replay.error === null || replay.running ? null : <Txt tone="danger" wrap="wrap">{escapeUntrusted(replay.error, { maxBytes: 1024 })}</Txt>}
      {summary.map((line, i) => <Txt key={`s${i}`} tone={line.tone} bold={line.tone === 'accent'}>{cutDisplay(escapeUntrusted(line.text, { maxBytes: 2000 }), width)}</Txt>)}
      <Txt tone="muted">{cutDisplay(footer, width)}</Txt>
    </Box>
  );
}
