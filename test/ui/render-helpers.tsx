/** Renders UI components with ink-testing-library, strips styling for snapshots, and waits on predicates instead of sleeping. */
import { cleanup, render } from 'ink-testing-library';

/** Unmounts every rendered instance (call after each test, so a failed assertion cannot leave a timer running). */
export const unmountAll = cleanup;
import type { ReactElement } from 'react';

/** Key sequences as a terminal sends them. */
export const KEYS = {
  up: '\x1b[A', down: '\x1b[B', right: '\x1b[C', left: '\x1b[D', pageDown: '\x1b[6~', pageUp: '\x1b[5~',
  home: '\x1b[H', end: '\x1b[F', enter: '\r', escape: '\x1b', tab: '\t', backspace: '\x7f', ctrlC: '\x03',
} as const;

/** Removes SGR styling (and only SGR) from a frame. */
export function unstyled(frame: string): string {
  // eslint-disable-next-line no-control-regex
  return frame.replace(/\x1b\[[0-9;]*m/g, '');
}

/** A rendered component with helpers to type into it and wait for frames. */
export interface Rendered {
  frame: () => string;
  rawFrame: () => string;
  press: (...keys: string[]) => Promise<void>;
  waitFor: (predicate: (frame: string) => boolean, what?: string, timeoutMs?: number) => Promise<string>;
  unmount: () => void;
}

/** Renders an element and returns helpers; call unmount at the end. */
export function renderUi(element: ReactElement): Rendered {
  const instance = render(element);
  const rawFrame = (): string => instance.lastFrame() ?? '';
  const frame = (): string => unstyled(rawFrame());
  const waitFor = async (predicate: (frame: string) => boolean, what = 'the expected frame', timeoutMs = 30_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = frame();
      if (predicate(current)) {
        // Let React run the new screen's passive effects (ink subscribes useInput there) before the next key.
        await new Promise((resolve) => setTimeout(resolve, 0));
        return current;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${current}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  // Each key is written separately, and the next waits until ink has read it (its input handler runs on the next tick).
  const press = async (...keys: string[]): Promise<void> => {
    for (const key of keys) {
      instance.stdin.write(key);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { frame, rawFrame, press, waitFor, unmount: instance.unmount };
}
