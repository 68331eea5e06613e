/** `kustody report CASE|BUNDLE`: the case as a document people read (HTML, Markdown) or a program reads (JSON). */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { composedText, display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { renderHtml } from '../core/report/render-html.js';
import { renderMarkdown } from '../core/report/render-markdown.js';
import type { ReportModel } from '../core/report/model.js';
import { reportFromBundle, reportFromCase } from '../adapters/report/open-report.js';
import { looksLikeCase } from '../adapters/ui-data/open-review.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { defaultCaseParent, type Command } from './command.js';

const FORMATS = ['html', 'md', 'json'] as const;
type Format = (typeof FORMATS)[number];

function render(model: ReportModel, format: Format): string {
  if (format === 'html') return renderHtml(model);
  if (format === 'md') return renderMarkdown(model);
  return `${toSafeJson(model, 2)}\n`;
}

/** Writes the file through a temporary name in the same folder and renames it, so a crash never leaves half a report. */
function writeReport(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
}

/** `kustody report`: exit 0 with the report, 1 when a bundle fails verification (its findings printed), 2 when it is unreadable. */
export const reportCommand: Command = {
  path: ['report', ''],
  usage: 'kustody report CASE|BUNDLE.tar [--format html|md|json] [-o FILE] [--pubkey KEY.pub] [--sha256 HEX]',
  summary: 'write a report of a case or bundle: summary, findings with evidence, timeline, changes, inventory',
  help: [
    'A bundle is verified first (as `kustody bundle verify` does); its verdict and SHA-256 head the report, and a',
    'bundle that is not intact is refused (exit 1) with what verify found. A case folder must have an intact custody chain.',
    'HTML is one self-contained file (no script, no external resource, strict Content-Security-Policy) that prints to PDF;',
    'Markdown renders on GitHub and GitLab with every value from the case in a code span. Without -o the report goes to stdout.',
  ].join('\n'),
  options: { format: { type: 'string' }, output: { type: 'string', short: 'o' }, pubkey: { type: 'string' }, sha256: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const requested = typeof args.values.format === 'string' ? args.values.format : json ? 'json' : 'html';
    if (!(FORMATS as readonly string[]).includes(requested)) throw new UsageError(`--format takes html, md or json (not ${escapeUntrusted(requested)}).`);
    const format = requested as Format;
    const expected = args.values.sha256;
    if (expected !== undefined && (typeof expected !== 'string' || !/^[0-9a-fA-F]{64}$/.test(expected))) throw new UsageError('--sha256 takes the 64 hex digits printed by `kustody bundle export` (or sha256sum).');
    const source = args.positionals[0] ?? '';
    const now = utcNow();
    const opened = looksLikeCase(source)
      ? reportFromCase(source, defaultCaseParent(env), now)
      : await reportFromBundle(source, { pubkeyPath: typeof args.values.pubkey === 'string' ? args.values.pubkey : undefined, expectedSha256: typeof expected === 'string' ? expected : undefined }, now);
    if (!opened.ok) {
      const report = opened.report;
      if (json) io.err(toSafeJson({ error: { code: 'BUNDLE_NOT_INTACT', verdict: report.verdict, findings: report.findings } }));
      else {
        io.err(display`${escapeUntrusted(report.verdict)}  ${escapeUntrusted(source)}: no report is written from a bundle that does not verify.`);
        for (const finding of report.findings) io.err(display`  ✗ ${escapeUntrusted(finding.code)}: ${escapeUntrusted(finding.message)}`);
        io.err(trusted('Keep this copy for examination and ask the sender for the bundle and the SHA-256 recorded at export.'));
      }
      return report.status === 'unreadable' ? 2 : 1;
    }
    const text = render(opened.model, format);
    const output = args.values.output;
    if (typeof output === 'string') {
      writeReport(output, text);
      io.err(display`Wrote ${escapeUntrusted(output)} (${escapeUntrusted(format)}, ${opened.model.findings.length} findings, ${escapeUntrusted(opened.model.integrity.verdict)})`);
    } else {
      // Every value from the case in `text` is already escaped for its format (controls in kustody's notation).
      io.out(composedText(text.replace(/\n$/, '')));
    }
    return 0;
  },
};
