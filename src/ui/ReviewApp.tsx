// `kustody review`: the read-only evidence browser over one case or verified bundle, or the refusal
// of a bundle that did not verify.
import { useApp } from 'ink';
import type { ReactElement } from 'react';
import type { DisplayText } from '../core/display/index.js';
import type { EvidenceData } from '../core/ui/evidence-records.js';
import type { TerminalSize } from './hooks/use-terminal-size.js';
import { CaseBrowser, type AddNote } from './screens/CaseBrowser.js';
import { ReviewRefused } from './screens/ReviewRefused.js';

/** What review shows: evidence to browse, or why it was refused. */
export type ReviewContent = { readonly kind: 'evidence'; readonly data: EvidenceData } | { readonly kind: 'refused'; readonly lines: readonly DisplayText[] };

/** Props of ReviewApp. */
export interface ReviewAppProps {
  readonly content: ReviewContent;
  readonly size?: TerminalSize;
  /** Called just before the app exits (tests observe it; the render function ends the ink instance). */
  readonly onExit?: () => void;
  /** Writes a note into a case folder (`n`); bundles never get one whatever is passed. */
  readonly addNote?: AddNote;
  /** The clock relative times are measured from (tests pin it). */
  readonly now?: number;
}

/** The review application: one screen; nothing in it changes the evidence (a case folder may take notes). */
export function ReviewApp({ content, size, onExit, addNote, now }: ReviewAppProps): ReactElement {
  const { exit } = useApp();
  const quit = (): void => {
    onExit?.();
    exit();
  };
  if (content.kind === 'refused') return <ReviewRefused lines={content.lines} onQuit={quit} size={size} />;
  return <CaseBrowser data={content.data} onQuit={quit} addNote={addNote} now={now} size={size} />;
}
