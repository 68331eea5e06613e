// The selected row's links as a list: where Enter can go from here, the cursor line inverted.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import { display, trusted } from '../../core/display/index.js';
import { cutDisplay } from '../../core/display/fit-text.js';
import type { RowLink } from '../../core/ui/browser-table.js';
import { Txt } from './Txt.js';

/** Props of LinkList: the links, the cursor, and the lines and columns it may use. */
export interface LinkListProps {
  readonly items: readonly RowLink[];
  readonly cursor: number;
  readonly height: number;
  readonly width: number;
}

/** Renders a window of the links that keeps the cursor in view. */
export function LinkList({ items, cursor, height, width }: LinkListProps): ReactElement {
  const rows = Math.max(1, height - 1);
  const offset = Math.min(Math.max(0, cursor - rows + 1), Math.max(0, items.length - rows));
  return (
    <Box flexDirection="column">
      <Txt bold tone="accent">{cutDisplay(display`Links from this row (${items.length}): ↑↓ choose, Enter follows, Esc closes; b comes back after a jump`, width)}</Txt>
      {items.slice(offset, offset + rows).map((link, i) => (
        <Txt key={offset + i} inverse={offset + i === cursor}>{cutDisplay(display`${offset + i === cursor ? trusted('› ') : trusted('  ')}${link.label}`, width)}</Txt>
      ))}
    </Box>
  );
}
