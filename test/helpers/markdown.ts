/**
 * Parses Markdown with cmark-gfm (the CommonMark parser GitHub's renderer is built on; Debian
 * cmark-gfm) with GitHub's extensions, and lists the nodes of its XML syntax tree.
 */
import { spawnSync } from 'node:child_process';

/** `false` when cmark-gfm runs, else what is missing. */
export function needsCmarkGfm(): string | false {
  return spawnSync('cmark-gfm', ['--version']).status === 0 ? false : 'cmark-gfm is not installed (Debian cmark-gfm; .ci/run installs it)';
}

/** One node of the tree: its type, its attributes and, for leaves, its text. */
export interface MdNode {
  type: string;
  attributes: Record<string, string>;
  text: string;
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#x([0-9a-fA-F]+)|#(\d+));/g, (_m, name: string, hex?: string, dec?: string) =>
    hex !== undefined ? String.fromCodePoint(Number.parseInt(hex, 16)) : dec !== undefined ? String.fromCodePoint(Number(dec)) : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[name]!);
}

/** Parses `markdown` the way GitHub does (tables, autolinks, strikethrough, tag filter) and returns every node. */
export function parseGfm(markdown: string): MdNode[] {
  const run = spawnSync('cmark-gfm', ['-t', 'xml', '-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tagfilter'], { input: markdown, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`cmark-gfm failed: ${run.stderr}`);
  const nodes: MdNode[] = [];
  for (const m of run.stdout.matchAll(/<([a-z_]+)((?:\s+[a-z_:]+="[^"]*")*)\s*(\/>|>([^<]*)<\/\1>|>)/g)) {
    const attributes: Record<string, string> = {};
    for (const a of (m[2] ?? '').matchAll(/([a-z_:]+)="([^"]*)"/g)) attributes[a[1]!] = unescapeXml(a[2]!);
    nodes.push({ type: m[1]!, attributes, text: unescapeXml(m[4] ?? '') });
  }
  return nodes;
}
