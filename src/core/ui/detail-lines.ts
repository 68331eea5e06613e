// Lays out the detail pane: `label: value` lines with long values wrapped under their label; pure.
import { display, trusted, type DisplayText } from '../display/index.js';
import type { DetailLine } from './browser-table.js';
import { cutDisplay, displayWidth, fitDisplay, wrapDisplay } from '../display/fit-text.js';

/**
 * Formats detail lines into at most `height` terminal lines of `width` columns; the last line says
 * how many more there were when they do not all fit.
 *
 * @example detailLayout([{label: 'pid', value: '7'}], 40, 5) // ['pid          7']
 */
export function detailLayout(lines: readonly DetailLine[], width: number, height: number): DisplayText[] {
  if (height <= 0) return [];
  const labelWidth = Math.min(Math.max(18, Math.floor(width / 4)), Math.max(6, ...lines.map((l) => displayWidth(l.label))));
  const valueWidth = Math.max(8, width - labelWidth - 2);
  const out: DisplayText[] = [];
  const blank = fitDisplay(trusted(''), labelWidth);
  for (const line of lines) {
    const wrapped = wrapDisplay(line.value, valueWidth);
    wrapped.forEach((part, i) => out.push(display`${i === 0 ? fitDisplay(line.label, labelWidth) : blank}  ${part}`));
  }
  if (out.length <= height) return out;
  const kept = out.slice(0, height - 1);
  kept.push(cutDisplay(display`… ${out.length - kept.length} more lines (widen the terminal or make it taller)`, width));
  return kept;
}
