// The screen for a bundle that failed verification: what failed, and nothing else from the bundle.
import { Box, useInput } from 'ink';
import type { ReactElement } from 'react';
import { trusted, type DisplayText } from '../../core/display/index.js';
import { cutDisplay } from '../../core/display/fit-text.js';
import { Txt } from '../components/Txt.js';
import { useTerminalSize, type TerminalSize } from '../hooks/use-terminal-size.js';
import { commandFor } from '../keymap.js';

/** Props of ReviewRefused: the lines from refusalLines. */
export interface ReviewRefusedProps {
  readonly lines: readonly DisplayText[];
  readonly onQuit: () => void;
  readonly size?: TerminalSize;
}

/** Shows why a bundle was refused; any of q, Esc, Enter or Ctrl-C leaves. */
export function ReviewRefused({ lines, onQuit, size: fixed }: ReviewRefusedProps): ReactElement {
  const size = useTerminalSize(fixed);
  useInput((input, key) => {
    const command = commandFor(input, key, 'nav');
    if (command !== null && ['quit', 'interrupt', 'back', 'select'].includes(command.kind)) onQuit();
  });
  const [first, ...rest] = lines;
  return (
    <Box flexDirection="column">
      {first === undefined ? null : <Txt tone="danger" bold>{cutDisplay(first, size.columns)}</Txt>}
      {rest.slice(0, Math.max(1, size.rows - 3)).map((line, i) => (
        <Txt key={i} wrap="wrap">{line}</Txt>
      ))}
      <Txt tone="muted">{trusted('Press q to quit.')}</Txt>
    </Box>
  );
}
