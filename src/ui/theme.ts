// Colours by meaning, switched off entirely when NO_COLOR is set (https://no-color.org).
import { createContext } from 'react';

/** What a piece of text means, which decides its colour. */
export type Tone = 'normal' | 'accent' | 'ok' | 'warn' | 'danger' | 'muted';

/** The colour scheme in force: `color` false means no colour escape is ever emitted. */
export interface Theme {
  readonly color: boolean;
  readonly tones: Readonly<Record<Tone, string | undefined>>;
}

const TONES: Theme['tones'] = { normal: undefined, accent: 'cyan', ok: 'green', warn: 'yellow', danger: 'red', muted: 'gray' };

/** Picks the theme for an environment: colour unless NO_COLOR is set to a non-empty value. */
export function themeFor(env: NodeJS.ProcessEnv): Theme {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return { color: !noColor, tones: TONES };
}

/** The theme components read; defaults to colour on. */
export const ThemeContext = createContext<Theme>({ color: true, tones: TONES });
