// The keyboard help, generated from the keymap's own table.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import { display, escapeUntrusted, trusted } from '../../core/display/index.js';
import { fitDisplay } from '../../core/display/fit-text.js';
import { KEY_HELP } from '../keymap.js';
import { Txt } from './Txt.js';

/** Props of HelpOverlay: which screens' keys to list, and whether mutating actions are hidden. */
export interface HelpOverlayProps {
  readonly sections: readonly (keyof typeof KEY_HELP)[];
  readonly readOnly: boolean;
  readonly height: number;
}

const TITLES: Readonly<Record<keyof typeof KEY_HELP, string>> = {
  common: 'Everywhere', browser: 'Evidence browser', picker: 'Pod picker', start: 'Start screen', run: 'Playbook steps',
};

/** Renders the key bindings of the given screens, cut to `height` lines. */
export function HelpOverlay({ sections, readOnly, height }: HelpOverlayProps): ReactElement {
  const lines: ReactElement[] = [];
  const shown = ['common', ...sections] as const;
  const keyWidth = Math.max(...shown.flatMap((section) => KEY_HELP[section].map((h) => h.keys.length))) + 1;
  for (const section of shown) {
    lines.push(<Txt key={`${section}-title`} bold tone="accent">{escapeUntrusted(TITLES[section])}</Txt>);
    for (const [i, help] of KEY_HELP[section].entries()) {
      lines.push(<Txt key={`${section}-${i}`}>{display`  ${fitDisplay(escapeUntrusted(help.keys), keyWidth)} ${escapeUntrusted(help.does)}`}</Txt>);
    }
  }
  lines.push(<Txt key="ro" tone="muted">{readOnly ? trusted('Read-only: no step that changes the cluster or the case is offered.') : trusted('Contain and revoke steps always ask you to type the pod\'s namespace/name.')}</Txt>);
  lines.push(<Txt key="close" tone="muted">{trusted('Press ? or Esc to close this help.')}</Txt>);
  return <Box flexDirection="column">{lines.slice(0, Math.max(2, height))}</Box>;
}
