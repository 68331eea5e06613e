// The browser's tab strip on one line, the active tab inverted.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import type { TabLabel } from '../../core/ui/tab-strip.js';
import { Txt } from './Txt.js';

/** Props of TabBar: the labels laid out by tabStrip. */
export interface TabBarProps {
  readonly labels: readonly TabLabel[];
}

/** Renders the tab labels side by side. */
export function TabBar({ labels }: TabBarProps): ReactElement {
  return (
    <Box columnGap={1} height={1} overflow="hidden">
      {labels.map((label, i) => (
        <Txt key={i} inverse={label.active} bold={label.active} tone={label.active ? 'accent' : 'normal'}>{label.text}</Txt>
      ))}
    </Box>
  );
}
