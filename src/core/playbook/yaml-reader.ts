/**
 * Typed reads from a parsed YAML document that record every problem with its file, line and column
 * instead of throwing, so one `validate` run reports all of them. Pure: text in, values and problems out.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type Scalar } from 'yaml';
import type { PlaybookProblem } from './types.js';

/** Where problems go, and how offsets become lines. */
export interface ReadContext {
  file: string;
  lines: LineCounter;
  problems: PlaybookProblem[];
}

/** A YAML file parsed strictly (unique keys, core schema): its root node, or null when its syntax is broken. */
export interface ParsedYaml {
  ctx: ReadContext;
  root: Node | null;
  ok: boolean;
}

/** Parses `text` (the content of `file`), recording every syntax error and warning with its position, and rejects aliases. */
export function parseYamlFile(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  const ctx: ReadContext = { file, lines, problems: [] };
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true, schema: 'core' });
  for (const issue of [...doc.errors, ...doc.warnings]) {
    const pos = issue.linePos?.[0] ?? lines.linePos(issue.pos[0]);
    ctx.problems.push({ file, line: pos.line, column: pos.col, message: `YAML: ${issue.message.split('\n')[0] ?? issue.code}` });
  }
  if (doc.errors.length > 0) return { ctx, root: null, ok: false };
  const root = doc.contents as Node | null;
  rejectAliases(ctx, root);
  return { ctx, root, ok: true };
}

/** Problems in file order (line, then column). */
export function byPosition(problems: PlaybookProblem[]): PlaybookProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

/** A mapping's entries by key, each with the key node (for positions) and its value. */
export type Entries = Map<string, { key: Scalar; value: Node | null }>;

/** Records a problem at a node (or at the start of the file when there is none). */
export function report(ctx: ReadContext, node: Node | Pair | null | undefined, message: string): void {
  const offset = node !== null && node !== undefined && 'range' in node && node.range ? node.range[0] : 0;
  const pos = ctx.lines.linePos(offset);
  ctx.problems.push({ file: ctx.file, line: pos.line, column: pos.col, message });
}

/** Reads a mapping, reporting keys outside `allowed` (by name, at their line) and any missing `required` key. */
export function readMap(ctx: ReadContext, node: Node | null, where: string, allowed: readonly string[], required: readonly string[]): Entries | null {
  if (!isMap(node)) {
    report(ctx, node, `${where} must be a mapping (key: value lines).`);
    return null;
  }
  const entries: Entries = new Map();
  for (const pair of node.items) {
    const key = pair.key as Node | null;
    if (!isScalar(key) || typeof key.value !== 'string') {
      report(ctx, key ?? node, `${where} has a key that is not plain text.`);
      continue;
    }
    if (!allowed.includes(key.value)) {
      report(ctx, key, `Unknown key "${key.value}" in ${where}; allowed keys: ${allowed.join(', ')}.`);
      continue;
    }
    entries.set(key.value, { key, value: pair.value as Node | null });
  }
  for (const name of required) if (!entries.has(name)) report(ctx, node, `${where} is missing the required key "${name}".`);
  return entries;
}

/** A string value, or null (problem recorded) when it is absent, empty or not text. */
export function readString(ctx: ReadContext, entries: Entries, name: string, where: string): string | null {
  const entry = entries.get(name);
  if (entry === undefined) return null;
  const { value } = entry;
  if (!isScalar(value) || typeof value.value !== 'string' || value.value.trim() === '') {
    report(ctx, value ?? entry.key, `"${name}" in ${where} must be non-empty text.`);
    return null;
  }
  return value.value;
}

/** A boolean value (true/false only), or `fallback` when absent. */
export function readBoolean(ctx: ReadContext, entries: Entries, name: string, where: string, fallback: boolean): boolean {
  const entry = entries.get(name);
  if (entry === undefined) return fallback;
  if (!isScalar(entry.value) || typeof entry.value.value !== 'boolean') {
    report(ctx, entry.value ?? entry.key, `"${name}" in ${where} must be true or false.`);
    return fallback;
  }
  return entry.value.value;
}

/** A whole number within [min, max], or `fallback` when absent. */
export function readInteger(ctx: ReadContext, entries: Entries, name: string, where: string, range: { min: number; max: number; fallback: number }): number {
  const entry = entries.get(name);
  if (entry === undefined) return range.fallback;
  const value = isScalar(entry.value) ? entry.value.value : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    report(ctx, entry.value ?? entry.key, `"${name}" in ${where} must be a whole number from ${range.min} to ${range.max}.`);
    return range.fallback;
  }
  return value;
}

/** One of a fixed set of words, or `fallback` when absent. */
export function readChoice<const T extends string>(ctx: ReadContext, entries: Entries, name: string, where: string, choices: readonly T[], fallback: T | null): T | null {
  const entry = entries.get(name);
  if (entry === undefined) return fallback;
  const value = isScalar(entry.value) ? entry.value.value : undefined;
  const found = choices.find((c) => c === value);
  if (found === undefined) {
    report(ctx, entry.value ?? entry.key, `"${name}" in ${where} must be one of ${choices.join(', ')}, not ${JSON.stringify(String(value ?? '')).slice(0, 60)}.`);
    return fallback;
  }
  return found;
}

/** A list of non-empty strings (an empty list when absent), each item checked by `check`. */
export function readStringList(ctx: ReadContext, entries: Entries, name: string, where: string, check?: (item: string) => string | null): { items: string[]; nodes: Node[] } {
  const entry = entries.get(name);
  if (entry === undefined) return { items: [], nodes: [] };
  if (!isSeq(entry.value)) {
    report(ctx, entry.value ?? entry.key, `"${name}" in ${where} must be a list.`);
    return { items: [], nodes: [] };
  }
  const items: string[] = [];
  const nodes: Node[] = [];
  for (const item of entry.value.items as Array<Node | null>) {
    if (!isScalar(item) || typeof item.value !== 'string' || item.value === '') {
      report(ctx, item ?? entry.value, `Every item of "${name}" in ${where} must be non-empty text (quote numbers and words like yes).`);
      continue;
    }
    const problem = check?.(item.value) ?? null;
    if (problem !== null) report(ctx, item, problem);
    items.push(item.value);
    nodes.push(item);
  }
  return { items, nodes };
}

/** Reports every alias (`*name`) in the tree: playbooks are flat data, and aliases can multiply a small file. */
export function rejectAliases(ctx: ReadContext, node: Node | null): void {
  if (node === null) return;
  if (isAlias(node)) report(ctx, node, 'YAML aliases (*name) are not allowed in playbooks; write the value out.');
  else if (isMap(node)) for (const pair of node.items) rejectAliases(ctx, pair.value as Node | null);
  else if (isSeq(node)) for (const item of node.items) rejectAliases(ctx, item as Node | null);
}
