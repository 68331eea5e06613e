// A table window: a header and the pre-fitted visible lines, the cursor line inverted.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import type { TableWindow } from '../../core/ui/table-window.js';
import { Txt } from './Txt.js';

/** Props of RowTable: the window computed by tableWindow. */
export interface RowTableProps {
  readonly window: TableWindow;
  /** True when the cursor should show (the table has the keyboard). */
  readonly focused: boolean;
}

/** Renders the header and only the visible rows. */
export function RowTable({ window, focused }: RowTableProps): ReactElement {
  return (
    <Box flexDirection="column">
      <Txt bold tone="muted">{window.header}</Txt>
      {window.lines.map((line) => (
        <Txt key={line.key} inverse={focused && line.selected}>{line.text}</Txt>
      ))}
    </Box>
  );
}
