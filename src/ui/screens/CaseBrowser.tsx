// One case in the evidence browser, as review and the responder's run both show it: the tabs built
// from the evidence (relative times from the moment it was opened), the isolation alert, and notes
// appended to the custody tab as they are recorded.
import { useCallback, useMemo, useState, type ReactElement } from 'react';
import { display, escapeUntrusted, redactError } from '../../core/display/index.js';
import type { NoteOutcome } from '../../core/ui/browser-screen.js';
import { isolationAlert } from '../../core/ui/case-log-tables.js';
import type { CustodyRecord, EvidenceData } from '../../core/ui/evidence-records.js';
import { evidenceTables } from '../../core/ui/evidence-tables.js';
import { noteRefusal, reviewHeading } from '../../core/ui/review-view.js';
import type { TerminalSize } from '../hooks/use-terminal-size.js';
import { EvidenceBrowser } from './EvidenceBrowser.js';

/** Records a note in the case folder at `caseDir` and returns its custody row. */
export type AddNote = (caseDir: string, text: string) => Promise<CustodyRecord>;

/** Props of CaseBrowser. */
export interface CaseBrowserProps {
  readonly data: EvidenceData;
  readonly onQuit: () => void;
  readonly onBack?: () => void;
  /** Present when notes can be written (review of a case folder, the responder's own case). */
  readonly addNote?: AddNote;
  /** The clock relative times are measured from (tests pin it); defaults to when the case was opened. */
  readonly now?: number;
  readonly size?: TerminalSize;
}

/** Renders the browser over one case's evidence. */
export function CaseBrowser({ data, onQuit, onBack, addNote, now, size }: CaseBrowserProps): ReactElement {
  const [opened] = useState(() => now ?? Date.now());
  const [added, setAdded] = useState<readonly CustodyRecord[]>([]);
  const shown = useMemo(() => (added.length === 0 ? data : { ...data, custody: [...data.custody, ...added] }), [data, added]);
  const tables = useMemo(() => evidenceTables(shown, { now: opened }), [shown, opened]);
  const alert = useMemo(() => isolationAlert(data), [data]);
  const refusal = noteRefusal(data.origin, addNote !== undefined);
  const onNote = useCallback(async (text: string): Promise<NoteOutcome> => {
    if (addNote === undefined) return display`No note added.`;
    try {
      const row = await addNote(data.origin.path, text);
      setAdded((list) => [...list, row]);
      return display`Noted as custody row ${row.seq} at ${escapeUntrusted(row.at)} (Custody log tab).`;
    } catch (error) {
      return display`The note was not recorded: ${redactError(error)}`;
    }
  }, [addNote, data.origin.path]);
  return <EvidenceBrowser tables={tables} heading={reviewHeading(data)} alert={alert} onQuit={onQuit} onBack={onBack} noteRefusal={refusal} onNote={onNote} size={size} />;
}
