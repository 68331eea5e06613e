// Lays out the detail pane: `label: value` lines with long values wrapped under their label, and the
// window of them that fits, scrolled; pure.
import { display, trusted, type DisplayText } from '../display/index.js';
import type { DetailLine } from './browser-table.js';
import { cutDisplay, displayWidth, fitDisplay, wrapDisplay } from '../display/fit-text.js';

/** Every wrapped line of the detail, before windowing. */
export function wrapDetail(lines: readonly DetailLine[], width: number): DisplayText[] {
  const labelWidth = Math.min(Math.max(18, Math.floor(width / 4)), Math.max(6, ...lines.map((l) => displayWidth(l.label))));
  const valueWidth = Math.max(8, width - labelWidth - 2);
  const out: DisplayText[] = [];
  const blank = fitDisplay(trusted(''), labelWidth);
  for (const line of lines) {
    const wrapped = wrapDisplay(line.value, valueWidth);
    wrapped.forEach((part, i) => out.push(cutDisplay(display`${i === 0 ? fitDisplay(line.label, labelWidth) : blank}  ${part}`, width)));
  }
  return out;
}

/** The detail pane's lines: at most `height`, from `offset`, and how many wrapped lines there are in all. */
export interface DetailWindow {
  readonly lines: readonly DisplayText[];
  readonly total: number;
}

/**
 * Windows the wrapped detail to `height` lines from `offset`; a first or last line says how many
 * lines are above or below, and which keys scroll.
 *
 * @example detailWindow([{label: 'pid', value: '7'}], 40, 5, 0).lines // ['pid                 7']
 */
export function detailWindow(lines: readonly DetailLine[], width: number, height: number, offset: number): DetailWindow {
  const all = wrapDetail(lines, width);
  if (height <= 0) return { lines: [], total: all.length };
  if (all.length <= height) return { lines: all, total: all.length };
  const start = Math.min(Math.max(0, offset), all.length - height + 1);
  const above = start > 0;
  const room = height - (above ? 1 : 0);
  const below = all.length - start > room;
  const shown = all.slice(start, start + room - (below ? 1 : 0));
  const out: DisplayText[] = [];
  if (above) out.push(cutDisplay(display`↑ ${start} more lines above (u scrolls up)`, width));
  out.push(...shown);
  if (below) out.push(cutDisplay(display`↓ ${all.length - start - shown.length} more lines (d scrolls down, u up)`, width));
  return { lines: out, total: all.length };
}

/**
 * Formats detail lines into at most `height` terminal lines of `width` columns, unscrolled.
 *
 * @example detailLayout([{label: 'pid', value: '7'}], 40, 5) // ['pid                 7']
 */
export function detailLayout(lines: readonly DetailLine[], width: number, height: number): DisplayText[] {
  return [...detailWindow(lines, width, height, 0).lines];
}
