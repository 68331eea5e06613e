// The facilitator's live view of an exercise: injects (a number asks to fire that one), the attacker's
// actions, what the team has done, hints (h asks to give the next); y confirms, n or Esc cancels.
// Presentational: the view comes from `load`, polled every `refreshMs`; the actions are the caller's.
import { Box, useApp, useInput } from 'ink';
import { useEffect, useRef, useState, type ReactElement } from 'react';
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import { cutDisplay } from '../../core/display/fit-text.js';
import { watchLines } from '../../core/exercise/watch-lines.js';
import type { WatchView } from '../../core/exercise/watch-view.js';
import { Txt } from '../components/Txt.js';
import { useTerminalSize, type TerminalSize } from '../hooks/use-terminal-size.js';

/** What the screen needs: a view to draw (re-read every `refreshMs`) and the facilitator's two actions, each returning what to say. */
export interface ExerciseWatchProps {
  load(): WatchView | null;
  fireInject(id: string): DisplayText;
  giveHint(id: string): DisplayText;
  /** Pins the terminal size (tests); otherwise it follows the terminal. */
  size?: TerminalSize;
  refreshMs?: number;
}

type Pending = { kind: 'inject'; id: string; key: number; message: string; hasAction: boolean } | { kind: 'hint'; id: string; cost: number; text: string };

/** The watch screen; q quits (Esc cancels a question first). */
export function ExerciseWatch({ load, fireInject, giveHint, size, refreshMs = 1000 }: ExerciseWatchProps): ReactElement {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize(size);
  const [view, setViewState] = useState<WatchView | null>(() => load());
  const viewRef = useRef<WatchView | null>(view);
  const setView = (next: WatchView | null) => {
    viewRef.current = next;
    setViewState(next);
  };
  const [status, setStatus] = useState(trusted(''));
  const [pending, setPendingState] = useState<Pending | null>(null);
  // Keys typed faster than React re-renders must see the question just asked or answered and the view
  // just read, not those of the last render: the key handler reads refs.
  const pendingRef = useRef<Pending | null>(null);
  const setPending = (next: Pending | null) => {
    pendingRef.current = next;
    setPendingState(next);
  };
  useEffect(() => {
    const timer = setInterval(() => {
      try {
        setView(load());
      } catch (error) {
        setStatus(display`Could not read the logs: ${escapeUntrusted(error instanceof Error ? error.message : String(error), { maxColumns: 200 })}`);
      }
    }, refreshMs);
    return () => clearInterval(timer);
  }, [load, refreshMs]);
  const act = (run: () => DisplayText) => {
    try {
      setStatus(run());
    } catch (error) {
      setStatus(display`Not recorded: ${escapeUntrusted(error instanceof Error ? error.message : String(error), { maxColumns: 200 })}`);
    }
    setView(load());
  };
  useInput((input, key) => {
    const pending = pendingRef.current;
    if (pending !== null) {
      if (input === 'y' || input === 'Y') {
        setPending(null);
        act(() => (pending.kind === 'inject' ? fireInject(pending.id) : giveHint(pending.id)));
      } else if (input === 'n' || input === 'N' || key.escape) {
        setPending(null);
        setStatus(trusted('Cancelled; nothing recorded.'));
      }
      return;
    }
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) {
      exit();
      return;
    }
    const view = viewRef.current;
    if (view === null) return;
    if (view.stoppedAt !== null && (input === 'h' || /^[1-9]$/.test(input))) {
      setStatus(trusted('The exercise is stopped: nothing more can be fired.'));
      return;
    }
    if (input === 'h') {
      const next = view.hints.find((h) => h.givenAt === null);
      if (next === undefined) setStatus(trusted('Every hint has been given.'));
      else setPending({ kind: 'hint', id: next.id, cost: next.cost, text: next.text });
      return;
    }
    const inject = view.injects.find((i) => String(i.key) === input);
    if (inject === undefined) return;
    if (inject.state === 'fired' || inject.state === 'requested') setStatus(display`Inject ${escapeUntrusted(inject.id, { maxColumns: 40 })} is already ${inject.state === 'fired' ? trusted('fired') : trusted('requested')}; an inject fires once.`);
    else setPending({ kind: 'inject', id: inject.id, key: inject.key, message: inject.message, hasAction: inject.hasAction });
  });
  if (view === null) return <Txt tone="muted">{trusted('No exercise in this case yet. q: quit')}</Txt>;
  const cut = (text: DisplayText) => cutDisplay(text, Math.max(20, columns));
  const lines = watchLines(view);
  const room = Math.max(5, rows - (pending === null ? 3 : 5));
  const shown = lines.length > room ? lines.slice(0, room - 1) : lines;
  return (
    <Box flexDirection="column">
      {shown.map((line, i) => <Txt key={i} tone={line.tone} bold={i === 0}>{cut(line.text)}</Txt>)}
      {shown.length < lines.length && <Txt tone="muted">{display`… ${lines.length - shown.length} more lines: a taller terminal shows them, or kustody exercise watch CASE --once`}</Txt>}
      <Txt tone="warn">{cut(status)}</Txt>
      {pending === null ? (
        <Txt tone="muted">{trusted('1-9: fire that inject   h: give the next hint   q: quit')}</Txt>
      ) : (
        <Box flexDirection="column">
          <Txt tone="accent" bold>{cut(question(pending))}</Txt>
          <Txt tone="normal">{cut(display`  ${escapeUntrusted(pending.kind === 'inject' ? pending.message : pending.text, { maxColumns: 400 })}`)}</Txt>
          <Txt tone="muted">{trusted('y: yes, record it now   n or Esc: cancel')}</Txt>
        </Box>
      )}
    </Box>
  );
}

function question(p: Pending): DisplayText {
  const id = escapeUntrusted(p.id, { maxColumns: 40 });
  return p.kind === 'inject'
    ? display`Fire inject ${p.key} (${id}) now${p.hasAction ? trusted(', with its attacker action') : trusted('')}? It tells the players:`
    : display`Give hint ${id} now (-${p.cost} points)? It tells the players:`;
}
