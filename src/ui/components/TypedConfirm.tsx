// The typed confirmation for contain and revoke steps: type the pod's exact namespace/name; Enter on
// anything else sends nothing, Esc declines. Presentational: the flow reducer holds what was typed.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import { display, escapeUntrusted, trusted } from '../../core/display/index.js';
import type { PendingConfirm } from '../state/run-state.js';
import { Txt } from './Txt.js';

/** Props of TypedConfirm. */
export interface TypedConfirmProps {
  readonly confirm: PendingConfirm;
  readonly danger: string;
}

/** Renders the prompt, what was typed so far and whether it matches. */
export function TypedConfirm({ confirm, danger }: TypedConfirmProps): ReactElement {
  const hint = confirm.state === 'match'
    ? trusted('matches: Enter applies it')
    : confirm.state === 'mismatch'
      ? trusted('does not match: Enter would send nothing')
      : trusted('');
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Txt bold tone={danger === 'revoke' ? 'danger' : 'warn'}>
        {display`This ${escapeUntrusted(danger)} step changes the cluster. To apply it, type ${escapeUntrusted(confirm.expect)} and press Enter; Esc declines.`}
      </Txt>
      <Txt>
        {trusted('> ')}
        <Txt bold>{escapeUntrusted(confirm.typed, { maxColumns: 200 })}</Txt>
        {trusted('█ ')}
        <Txt tone={confirm.state === 'match' ? 'ok' : 'warn'}>{hint}</Txt>
      </Txt>
      {confirm.refused > 0 ? <Txt tone="danger">{display`That did not match ${escapeUntrusted(confirm.expect)}; nothing was sent (${confirm.refused} refused). Type it exactly, or Esc.`}</Txt> : null}
    </Box>
  );
}
