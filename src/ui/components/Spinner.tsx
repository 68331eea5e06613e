// A spinner with the elapsed time of the running step; its own timer is the only clock in the UI.
import { useEffect, useState, type ReactElement } from 'react';
import { display, escapeUntrusted, type DisplayText } from '../../core/display/index.js';
import { Txt } from './Txt.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** Props of Spinner: when the step started (ms since the epoch) and what to say beside it. */
export interface SpinnerProps {
  readonly startedAt: number;
  readonly label: DisplayText;
}

/** Formats milliseconds as `4.2 s` or `2 min 05 s`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
}

/** Renders `⠹ running 4.2 s  <label>`, redrawn ten times a second. */
export function Spinner({ startedAt, label }: SpinnerProps): ReactElement {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, []);
  const frame = FRAMES[Math.floor(now / 100) % FRAMES.length] ?? FRAMES[0];
  return <Txt tone="accent">{display`${escapeUntrusted(frame)} running ${escapeUntrusted(formatElapsed(now - startedAt))}  ${label}`}</Txt>;
}
