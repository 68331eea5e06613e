/** `kustody playbook list|validate`: the shipped playbooks, and a schema check that names file, line and problem. */
import { basename } from 'node:path';
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import type { Playbook, PlaybookProblem } from '../core/playbook/types.js';
import { loadPlaybook, shippedPlaybookFiles, type LoadedPlaybook } from '../adapters/playbook/playbook-files.js';
import type { Command } from './command.js';

/** `kustody playbook list [--json]`. */
export const playbookList: Command = {
  path: ['playbook', 'list'],
  usage: 'kustody playbook list [--json]',
  summary: 'list the shipped playbooks, their steps and how dangerous each is',
  help: 'Shows each shipped playbook (playbooks/*.yaml) with its steps in order: action and danger (observe, contain, revoke).\nRun one with `kustody run ID --target NAMESPACE/POD --case CASE`.',
  options: {},
  positionals: { min: 0, max: 0 },
  async run(_args, { io, json }) {
    const loaded = shippedPlaybookFiles().map((file) => loadPlaybook(file));
    if (json) {
      io.out(toSafeJson({ playbooks: loaded.map((l) => (l.playbook === null ? { file: l.path, valid: false, problems: l.problems } : { file: l.path, valid: true, ...summary(l.playbook) })) }));
      return 0;
    }
    for (const l of loaded) for (const line of describe(l)) io.out(line);
    return loaded.every((l) => l.playbook !== null) ? 0 : 1;
  },
};

/** `kustody playbook validate [FILE…] [--json]`: exit 1 when any file has a problem. */
export const playbookValidate: Command = {
  path: ['playbook', 'validate'],
  usage: 'kustody playbook validate [FILE|ID…] [--json]',
  summary: 'check playbooks against the schema; names file:line and the problem',
  help: [
    'With no argument, checks every shipped playbook. Rejects unknown keys, unknown actions, a danger that does not match the action,',
    'contain and revoke steps without confirm: true, verify and undo, bad params, and needs that name unknown steps or form a cycle.',
    'Exit 0 when every file is valid, 1 when any is not.',
  ].join('\n'),
  options: {},
  positionals: { min: 0, max: 64 },
  async run(args, { io, json }) {
    const refs = args.positionals.length > 0 ? args.positionals : shippedPlaybookFiles();
    const results = refs.map((path) => ({ ref: args.positionals.length > 0 ? path : `playbooks/${basename(path)}`, loaded: loadPlaybook(path) }));
    const valid = results.every((r) => r.loaded.playbook !== null);
    if (json) {
      io.out(toSafeJson({ valid, files: results.map(({ ref, loaded }) => ({ file: ref, valid: loaded.playbook !== null, steps: loaded.playbook?.steps.length ?? null, problems: loaded.problems })) }));
      return valid ? 0 : 1;
    }
    for (const { ref, loaded } of results) {
      if (loaded.playbook !== null) io.out(display`ok       ${escapeUntrusted(ref)} (${escapeUntrusted(loaded.playbook.id)}, ${loaded.playbook.steps.length} steps)`);
      else for (const problem of loaded.problems) io.out(problemLine(problem));
    }
    const bad = results.filter((r) => r.loaded.playbook === null).length;
    io.out(bad === 0 ? display`${results.length} playbook(s) valid.` : display`${bad} of ${results.length} playbook(s) invalid.`);
    return valid ? 0 : 1;
  },
};

/** One problem as `file:line:column: message`, the form editors and CI annotate. */
export function problemLine(problem: PlaybookProblem): DisplayText {
  return display`${escapeUntrusted(problem.file)}:${problem.line}:${problem.column}: ${escapeUntrusted(problem.message)}`;
}

function summary(playbook: Playbook) {
  return { id: playbook.id, title: playbook.title, description: playbook.description, inputs: playbook.inputs, steps: playbook.steps.map((s) => ({ id: s.id, title: s.title, action: s.action, danger: s.danger, confirm: s.confirm })) };
}

function describe(loaded: LoadedPlaybook): DisplayText[] {
  if (loaded.playbook === null) return [display`INVALID  ${escapeUntrusted(loaded.path)}`, ...loaded.problems.map((p) => display`  ${problemLine(p)}`)];
  const p = loaded.playbook;
  const lines: DisplayText[] = [display`${escapeUntrusted(p.id.padEnd(20))} ${escapeUntrusted(p.title)}${p.inputs.includes('token') ? trusted(' (needs --token-file)') : trusted('')}`, display`  ${escapeUntrusted(p.description)}`];
  for (const [i, s] of p.steps.entries()) lines.push(display`  ${i + 1}. ${escapeUntrusted(s.id.padEnd(16))} ${escapeUntrusted(s.action.padEnd(10))} ${escapeUntrusted(s.danger.padEnd(8))} ${escapeUntrusted(s.title)}`);
  lines.push(trusted(''));
  return lines;
}
