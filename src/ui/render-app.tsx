// The only place ink's render is called: mounts an app with the theme for the environment, ends it
// cleanly on SIGTERM/SIGHUP, and resolves when it has exited. Callers never see ink.
import { Box, render } from 'ink';
import type { ReactElement } from 'react';
import { ResizeRepaint } from './components/ResizeRepaint.js';
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
  // Nothing is drawn wider than the terminal (a frame laid out for the size before a resize is cut,
  // not wrapped), so every frame occupies exactly the lines ink counts when it erases it.
  const framed = (
    <ThemeContext.Provider value={themeFor(terminal.env)}>
      <ResizeRepaint />
      <Box flexDirection="column" overflowX="hidden">{app}</Box>
    </ThemeContext.Provider>
  );
  const instance = render(framed, {
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
