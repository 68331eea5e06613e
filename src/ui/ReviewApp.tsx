// `kustody review`: the read-only evidence browser over one case or verified bundle, or the refusal
// of a bundle that did not verify.
import { useApp } from 'ink';
import { useMemo, type ReactElement } from 'react';
import type { DisplayText } from '../core/display/index.js';
import type { EvidenceData } from '../core/ui/evidence-records.js';
import { evidenceTables } from '../core/ui/evidence-tables.js';
import { reviewHeading } from '../core/ui/review-view.js';
import type { TerminalSize } from './hooks/use-terminal-size.js';
import { EvidenceBrowser } from './screens/EvidenceBrowser.js';
import { ReviewRefused } from './screens/ReviewRefused.js';

/** What review shows: evidence to browse, or why it was refused. */
export type ReviewContent = { readonly kind: 'evidence'; readonly data: EvidenceData } | { readonly kind: 'refused'; readonly lines: readonly DisplayText[] };

/** Props of ReviewApp. */
export interface ReviewAppProps {
  readonly content: ReviewContent;
  readonly size?: TerminalSize;
  /** Called just before the app exits (tests observe it; the render function ends the ink instance). */
  readonly onExit?: () => void;
}

/** The review application: one screen, no action that changes anything. */
export function ReviewApp({ content, size, onExit }: ReviewAppProps): ReactElement {
  const { exit } = useApp();
  const quit = (): void => {
    onExit?.();
    exit();
  };
  const tables = useMemo(() => (content.kind === 'evidence' ? evidenceTables(content.data) : []), [content]);
  if (content.kind === 'refused') return <ReviewRefused lines={content.lines} onQuit={quit} size={size} />;
  return <EvidenceBrowser tables={tables} heading={reviewHeading(content.data)} onQuit={quit} size={size} />;
}
