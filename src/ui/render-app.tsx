// The only place ink's render is called: mounts an app with the theme for the environment, ends it
// cleanly on SIGTERM/SIGHUP, and resolves when it has exited. Callers never see ink.
import { render } from 'ink';
import type { ReactElement } from 'react';
import { ThemeContext, themeFor } from './theme.js';

/** Where an app draws and reads keys, and the environment that decides its colours. */
export interface Terminal {
  readonly stdout: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
}

/** Tells whether both ends are a terminal, which every interactive screen needs. */
export function isInteractive(terminal: Pick<Terminal, 'stdout' | 'stdin'>): boolean {
  return terminal.stdout.isTTY === true && terminal.stdin.isTTY === true;
}

/** Renders an app until it exits; Ctrl-C is the app's to handle (it may have a step to stop first). */
export async function runApp(app: ReactElement, terminal: Terminal): Promise<void> {
  const instance = render(<ThemeContext.Provider value={themeFor(terminal.env)}>{app}</ThemeContext.Provider>, {
    stdout: terminal.stdout,
    stdin: terminal.stdin,
    exitOnCtrlC: false,
    patchConsole: true,
    // A keystroke is drawn at once; a burst of them at most every 16 ms.
    maxFps: 60,
  });
  const stop = (): void => instance.unmount();
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    instance.cleanup();
  }
}
