/**
 * Renders docs/findings.md from the rule registry and the framework table, so the document a reviewer
 * reads is the data kustody uses (a test fails when the two drift). Pure.
 */
import { FRAMEWORK_ENTRIES, RULE_MAPPINGS } from './framework-map.js';
import { FINDING_RULES } from './registry.js';

const FRAMEWORK_NAMES: Record<string, string> = {
  'attack-containers': 'MITRE ATT&CK (Containers matrix, or Enterprise where noted)',
  'threat-matrix-k8s': "Microsoft's Threat Matrix for Kubernetes",
  'owasp-nhi-2025': 'OWASP Non-Human Identities Top 10 (2025)',
  'nist-csf-2.0': 'NIST Cybersecurity Framework 2.0',
};

/** The Markdown text of docs/findings.md. */
export function renderFindingsDoc(): string {
  const lines = [
    '# Findings and their framework mappings',
    '',
    '<!-- Generated from src/core/findings (registry.ts, framework-map.ts) by `npm run docs:findings`; edit those, not this file. -->',
    '',
    '`kustody review` and `kustody report` derive findings from a case with the rules below, in this order. Each finding cites the evidence rows it rests on (table and row id) and the framework ids listed for its rule and, where a rule has kinds, for its kind.',
    '',
    '## Rules',
    '',
    '| Rule | What it looks for | Framework ids |',
    '|---|---|---|',
  ];
  for (const rule of FINDING_RULES) {
    const keys = Object.keys(RULE_MAPPINGS).filter((key) => key === rule.id || key.startsWith(`${rule.id}/`));
    const ids = keys.map((key) => `${key === rule.id ? '' : `*${key.slice(rule.id.length + 1)}*: `}${(RULE_MAPPINGS[key] ?? []).map((m) => m.split(':')[1]).join(', ')}`);
    lines.push(`| \`${rule.id}\` | ${cell(rule.describes)} | ${ids.join('<br>') || '—'} |`);
  }
  lines.push('', '## Framework ids, and how each was checked', '');
  for (const framework of Object.keys(FRAMEWORK_NAMES)) {
    lines.push(`### ${FRAMEWORK_NAMES[framework]}`, '', '| Id | Name | Checked against |', '|---|---|---|');
    for (const entry of FRAMEWORK_ENTRIES.filter((e) => e.framework === framework)) lines.push(`| [${entry.id}](${entry.url}) | ${cell(entry.name)} | ${cell(entry.verifiedFrom)} |`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
