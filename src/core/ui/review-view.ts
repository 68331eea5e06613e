// The words around the evidence browser in review: its heading, and the refusal shown for a bundle
// that failed verification; pure, no I/O.
import { display, escapeUntrusted, trusted, type DisplayText } from '../display/index.js';
import type { EvidenceData } from './evidence-records.js';

/** What verification said, in the shape verifyBundle reports it. */
export interface VerificationLike {
  readonly status: string;
  readonly findings: readonly { readonly code: string; readonly message: string }[];
  readonly notes: readonly string[];
}

/**
 * The browser's first line: that nothing can change, how the evidence was checked, its case id, and
 * what it is (the title last, since it is the part a narrow terminal can lose).
 *
 * @example reviewHeading(data) // 'kustody review (read-only) · CONSISTENT (origin not proven: unsigned); custody chain ok (8 rows) · case-2026… · demo case: Demo'
 */
export function reviewHeading(data: EvidenceData, readOnly = true): DisplayText {
  const what = data.origin.kind === 'demo' ? trusted('demo case') : data.origin.kind === 'bundle' ? trusted('bundle') : trusted('case');
  const mode = readOnly ? trusted(' (read-only)') : trusted('');
  return display`kustody review${mode} · ${escapeUntrusted(data.origin.integrity)} · ${escapeUntrusted(data.caseId)} · ${what}: ${escapeUntrusted(data.title, { maxColumns: 60 })}`;
}

/**
 * The lines shown when a bundle is refused: the verdict, every finding and note, and what to do.
 *
 * @example refusalLines('x.tar', {status: 'tampered', findings: [{code: 'MEMBER_HASH_MISMATCH', message: '…'}], notes: []})[0] // 'REFUSED: x.tar is TAMPERED; nothing from it was opened.'
 */
export function refusalLines(path: string, report: VerificationLike): DisplayText[] {
  const lines: DisplayText[] = [
    display`REFUSED: ${escapeUntrusted(path)} is ${escapeUntrusted(report.status.toUpperCase())}; nothing from it was opened.`,
    trusted(''),
    trusted('What verification found:'),
  ];
  for (const f of report.findings) lines.push(display`  ✗ ${escapeUntrusted(f.code)}: ${escapeUntrusted(f.message, { maxBytes: 2048 })}`);
  for (const note of report.notes) lines.push(display`  note: ${escapeUntrusted(note, { maxBytes: 2048 })}`);
  lines.push(trusted(''), trusted('Ask the sender for the bundle again and compare its SHA-256 with the one recorded at export.'));
  lines.push(trusted('Check it by hand with: kustody bundle verify FILE.tar'));
  return lines;
}

/**
 * Why `n` cannot add a note to what is being browsed, or null when it can: only a live case folder
 * takes notes; a bundle (or the demo, which is one) is evidence received and is never written.
 *
 * @example noteRefusal({kind: 'bundle', path: 'x.tar', integrity: ''}) // 'Notes go into a live case; this is a bundle …'
 */
export function noteRefusal(origin: EvidenceData['origin'], canWrite: boolean): DisplayText | null {
  if (origin.kind === 'bundle') return trusted('No note added: this is a bundle, which is never written. Add notes in the live case folder (kustody case note CASE TEXT).');
  if (origin.kind === 'demo') return trusted('No note added: the demo case is a shipped bundle, which is never written.');
  return canWrite ? null : trusted('No note added: this screen was opened without a way to write to the case.');
}
