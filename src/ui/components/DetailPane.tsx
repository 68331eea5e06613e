// The selected row in full: labelled, escaped values, long ones wrapped, cut to the space available.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import type { DisplayText } from '../../core/display/index.js';
import { Txt } from './Txt.js';

/** Props of DetailPane: the lines laid out by detailLayout. */
export interface DetailPaneProps {
  readonly lines: readonly DisplayText[];
}

/** Renders the detail lines of the selected row. */
export function DetailPane({ lines }: DetailPaneProps): ReactElement {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Txt key={i}>{line}</Txt>
      ))}
    </Box>
  );
}
