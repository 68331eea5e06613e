// The terminal's size, updated on resize (SIGWINCH arrives as a `resize` event on stdout).
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** Columns and rows of the terminal. */
export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/** Returns the terminal size, following resizes; `fixed` pins it (tests, benchmarks). */
export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => fixed ?? { columns: stdout.columns > 0 ? stdout.columns : 100, rows: stdout.rows > 0 ? stdout.rows : 24 };
  const [size, setSize] = useState<TerminalSize>(read);
  useEffect(() => {
    if (fixed !== undefined) return undefined;
    const onResize = (): void => setSize({ columns: stdout.columns > 0 ? stdout.columns : 100, rows: stdout.rows > 0 ? stdout.rows : 24 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}
