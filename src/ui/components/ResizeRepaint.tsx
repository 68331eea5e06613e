// Keeps the screen clean across terminal resizes. A terminal that reflows lines (tmux, VTE) turns the
// last frame's wide lines into several rows, and one that grows taller pulls scrollback back on
// screen; ink erases by its own line count, so fragments of the old frame stayed behind. On resize
// everything on screen is scrolled into the scrollback (nothing is lost, Static output included) and
// the frame is drawn again from the top-left corner.
import { useStdout } from 'ink';
import { useEffect } from 'react';

/** Scrolls `rows` screen lines into the scrollback and moves the cursor to the top-left corner. */
export function wipeSequence(rows: number): string {
  const n = Math.max(1, Math.min(500, Math.floor(rows)));
  return `\x1b[${n};1H${'\n'.repeat(n)}\x1b[H`;
}

/** Renders nothing; on each resize, wipes the screen before ink redraws and then redraws the last frame. */
export function ResizeRepaint(): null {
  const { stdout, write } = useStdout();
  useEffect(() => {
    let repaint: NodeJS.Immediate | undefined;
    const wipe = (): void => {
      // Before ink's own resize handler (prepended), so its redraw lands on a clean screen.
      stdout.write(wipeSequence(stdout.rows > 0 ? stdout.rows : 24));
      // Should ink have nothing new to draw (the frame did not change), draw the last one again: ink
      // erases what it drew since, writes nothing, and restores its last frame where the cursor is.
      if (repaint !== undefined) clearImmediate(repaint);
      repaint = setImmediate(() => write(''));
    };
    stdout.prependListener('resize', wipe);
    return () => {
      stdout.off('resize', wipe);
      if (repaint !== undefined) clearImmediate(repaint);
    };
  }, [stdout, write]);
  return null;
}
