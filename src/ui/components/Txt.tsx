// The only component that puts text on the terminal: it accepts DisplayText (escaped evidence or
// vetted kustody literals) and nested Txt, never a plain string (TUI-1).
import { Text } from 'ink';
import { useContext, type ReactElement } from 'react';
import type { DisplayText } from '../../core/display/index.js';
import { ThemeContext, type Tone } from '../theme.js';

/** What a Txt may contain: escaped text, other Txt elements, or nothing. */
export type TxtChild = DisplayText | ReactElement<TxtProps> | false | null | undefined;

/** Txt's children: TxtChild values, possibly in (nested) arrays as JSX and `map` produce them. */
export type TxtChildren = TxtChild | readonly TxtChildren[];

/** Props of Txt: the text and how it looks. */
export interface TxtProps {
  readonly children: TxtChildren;
  readonly tone?: Tone;
  readonly bold?: boolean;
  readonly inverse?: boolean;
  readonly wrap?: 'wrap' | 'truncate-end';
}

/** Renders escaped text in a tone; with NO_COLOR only bold and inverse remain. */
export function Txt({ children, tone = 'normal', bold, inverse, wrap = 'truncate-end' }: TxtProps): ReactElement {
  const theme = useContext(ThemeContext);
  const color = theme.color ? theme.tones[tone] : undefined;
  return (
    <Text color={color} bold={bold} inverse={inverse} wrap={wrap}>
      {children}
    </Text>
  );
}
