// The evidence browser: tabs of a case's evidence (findings first when there are any), a windowed
// table (only the rows that fit are rendered), a filter over a precomputed lowercase index, the
// selected row in full below (scrollable), its links, and a note line.
import { Box, useInput } from 'ink';
import { useEffect, useMemo, useRef, type ReactElement } from 'react';
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import type { NoteOutcome } from '../../core/ui/browser-screen.js';
import { visibleCount } from '../../core/ui/browser-state.js';
import type { BrowserTable } from '../../core/ui/browser-table.js';
import { detailWindow } from '../../core/ui/detail-lines.js';
import { cutDisplay } from '../../core/display/fit-text.js';
import { tabStrip } from '../../core/ui/tab-strip.js';
import { tableWindow } from '../../core/ui/table-window.js';
import { DetailPane } from '../components/DetailPane.js';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { LinkList } from '../components/LinkList.js';
import { RowTable } from '../components/RowTable.js';
import { TabBar } from '../components/TabBar.js';
import { Txt } from '../components/Txt.js';
import { useBrowser } from '../hooks/use-browser.js';
import { useTerminalSize, type TerminalSize } from '../hooks/use-terminal-size.js';
import { keyPresses } from '../keymap.js';

/** Props of EvidenceBrowser. */
export interface EvidenceBrowserProps {
  readonly tables: readonly BrowserTable[];
  /** The first line: what is being browsed and how it was checked. */
  readonly heading: DisplayText;
  /** A line shown under the heading in the danger tone (an isolation that left connections open). */
  readonly alert?: DisplayText | null;
  readonly onQuit: () => void;
  /** When set, Esc with no filter goes back instead of doing nothing (the responder flow). */
  readonly onBack?: () => void;
  /** Why `n` cannot add a note here, or null when it can (then onNote records it). */
  readonly noteRefusal?: DisplayText | null;
  /** Records a note; resolves to the line to show (what it became, or why it failed). */
  readonly onNote?: (text: string) => Promise<NoteOutcome>;
  readonly size?: TerminalSize;
}

/**
 * Splits the terminal height between the table and the detail pane: six lines of chrome (plus the
 * alert when there is one), the frame one row short of the screen (so ink never clears it), and a
 * short table leaving its rest to the detail.
 */
export function browserLayout(rows: number, tableRows: number, extraLines = 0): { table: number; detail: number } {
  const available = Math.max(2, rows - 7 - extraLines);
  const minDetail = rows >= 16 ? Math.min(10, Math.max(3, Math.floor(rows / 4))) : 0;
  const table = Math.max(1, Math.min(available - minDetail, tableRows));
  return { table, detail: rows >= 16 ? available - table : 0 };
}

const KEYS = trusted('? help  Enter follow links  b back  d/u scroll detail  n note  / filter  Tab tabs  q quit');

/** Renders the browser and handles its keys. */
export function EvidenceBrowser({ tables, heading, alert = null, onQuit, onBack, noteRefusal, onNote, size: fixed }: EvidenceBrowserProps): ReactElement {
  const size = useTerminalSize(fixed);
  const { state: screen, send } = useBrowser(tables);
  const state = screen.browser;
  const table = tables[state.tab];
  const view = state.views[state.tab];
  const layout = browserLayout(size.rows, table === undefined || view === undefined ? 1 : visibleCount(table, view), alert === null ? 0 : 1);

  const window = useMemo(
    () => (table === undefined || view === undefined ? null : tableWindow(table, view, size.columns, layout.table)),
    [table, view, size.columns, layout.table],
  );
  const detail = useMemo(() => {
    const row = window === null ? undefined : table?.rows[window.selectedRow];
    return row === undefined ? { lines: [], total: 0 } : detailWindow(row.detail(), size.columns, layout.detail, screen.detailScroll);
  }, [table, window, size.columns, layout.detail, screen.detailScroll]);

  useInput((input, key) => {
    for (const press of keyPresses(input, key)) {
      send({ press, height: layout.table, canGoBack: onBack !== undefined, detail: { height: layout.detail, total: detail.total }, noteRefusal });
    }
  });
  // After the first frame, build every tab's search index in the background, a slice of rows per turn
  // of the event loop, so the first filter key finds it ready and no keystroke waits behind a long build.
  useEffect(() => {
    let timer: NodeJS.Immediate | undefined;
    const warm = (tab: number, from: number): void => {
      const rows = tables[tab]?.rows;
      if (rows === undefined) return;
      const end = Math.min(rows.length, from + 1000);
      for (let i = from; i < end; i++) void rows[i]?.search;
      timer = setImmediate(() => (end < rows.length ? warm(tab, end) : warm(tab + 1, 0)));
    };
    timer = setImmediate(() => warm(0, 0));
    return () => clearImmediate(timer);
  }, [tables]);
  // Leaving is the parent's business: the reducer only records that the user asked.
  const left = useRef(false);
  useEffect(() => {
    if (screen.leave === null || left.current) return;
    left.current = true;
    if (screen.leave === 'quit') onQuit();
    else onBack?.();
  }, [screen.leave, onQuit, onBack]);
  // A submitted note is recorded once; what it became comes back as news.
  const request = screen.noteRequest;
  useEffect(() => {
    if (request === null || onNote === undefined) return;
    void onNote(request.text).then((message) => send({ message }));
  }, [request, onNote, send]);

  const labels = tabStrip(tables.map((t) => ({ title: t.title, short: t.short, count: t.count })), state.tab, size.columns);
  const filterText = view === undefined ? trusted('') : cutDisplay(escapeUntrusted(view.filter), 40);
  const filterLine = state.editing ? display`   filter: /${filterText}█` : view !== undefined && view.filter !== '' ? display`   filter: ${filterText}` : trusted('');
  // The end of the note is where the typing is: a long note shows its last columns.
  const noteText = screen.note === null ? null : display`${screen.note.length > size.columns ? trusted('…') : trusted('')}${escapeUntrusted(screen.note.slice(-size.columns))}`;
  const bottom = noteText !== null
    ? <Txt tone="accent">{cutDisplay(display`note (Enter records it in the custody log, Esc discards): ${noteText}█`, size.columns)}</Txt>
    : <Txt tone={screen.message === null ? 'muted' : 'warn'}>{cutDisplay(screen.message ?? KEYS, size.columns)}</Txt>;
  const body = screen.help
    ? <HelpOverlay sections={['browser']} readOnly height={layout.table + layout.detail + 2} />
    : screen.links !== null
      ? <LinkList items={screen.links.items} cursor={screen.links.cursor} height={layout.table + layout.detail + 2} width={size.columns} />
      : (
        <>
          {window === null || table === undefined ? null : table.rows.length === 0 ? <Txt tone="muted">{table.empty}</Txt> : <RowTable window={window} focused={!state.editing} />}
          <Txt tone="muted">{cutDisplay(display`${window?.position ?? trusted('')}${filterLine}`, size.columns)}</Txt>
          <DetailPane lines={detail.lines} />
        </>
      );
  return (
    <Box flexDirection="column" width={size.columns}>
      <Txt bold>{cutDisplay(heading, size.columns)}</Txt>
      {alert === null ? null : <Txt bold tone="danger">{cutDisplay(alert, size.columns)}</Txt>}
      <TabBar labels={labels} />
      {body}
      {bottom}
    </Box>
  );
}
