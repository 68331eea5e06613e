// The pod picker: a search line, one page of pods with their risk signals, and the selected pod's
// signals in full. Presentational: the app feeds it state and handles its keys.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import { cutDisplay } from '../../core/display/fit-text.js';
import type { PickerState } from '../../core/ui/picker-state.js';
import { pickerView } from '../../core/ui/picker-view.js';
import { Txt } from '../components/Txt.js';

/** How far the pod list has loaded. */
export interface PodLoad {
  readonly done: boolean;
  readonly error: string | null;
}

/** Props of PodPicker. */
export interface PodPickerProps {
  readonly state: PickerState;
  readonly load: PodLoad;
  readonly heading: DisplayText;
  readonly width: number;
  readonly pageSize: number;
}

/** How many pod rows fit on a screen `rows` tall (the rest is heading, search, header, position, signals, footer). */
export function pickerPageSize(rows: number): number {
  return Math.max(3, rows - 14);
}

/** Renders one page of the picker. */
export function PodPicker({ state, load, heading, width, pageSize }: PodPickerProps): ReactElement {
  const view = pickerView(state, width, pageSize);
  const search = state.editing ? display`search: /${escapeUntrusted(state.query)}█` : state.query === '' ? trusted('search: press / to search by namespace/name, ServiceAccount, node or signal') : display`search: ${escapeUntrusted(state.query)}`;
  const loading = load.error !== null ? display`  (listing stopped: ${escapeUntrusted(load.error, { maxColumns: 120 })})` : load.done ? trusted('') : display`  (loading… ${state.all.length} so far)`;
  const selected = view.selected;
  return (
    <Box flexDirection="column" width={width}>
      <Txt bold>{cutDisplay(heading, width)}</Txt>
      <Txt tone={state.editing ? 'accent' : 'muted'}>{cutDisplay(search, width)}</Txt>
      <Txt bold tone="muted">{view.header}</Txt>
      {view.lines.map((line) => (
        <Txt key={line.key} inverse={line.selected} tone={line.risky ? 'warn' : 'normal'}>{line.text}</Txt>
      ))}
      <Txt tone="muted">{cutDisplay(display`${view.position}${loading}`, width)}</Txt>
      <Txt bold>{selected === null ? trusted(' ') : cutDisplay(display`${selected.namespace}/${selected.name}: ${selected.signals.length === 0 ? trusted('no risk signal known') : display`${selected.signals.length} risk signal(s)`}`, width)}</Txt>
      {(selected?.details ?? []).slice(0, 7).map((detail, i) => (
        <Txt key={i} tone="warn">{cutDisplay(display`  • ${detail}`, width)}</Txt>
      ))}
      <Txt tone="muted">{cutDisplay(trusted('Enter choose  / search  ↑↓ PgUp PgDn move  Esc back  ? help  q quit'), width)}</Txt>
    </Box>
  );
}
