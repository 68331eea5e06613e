/** `kustody exercise list|validate`: the shipped scenario packs, and a schema check that names file:line and the problem. */
import { basename } from 'node:path';
import { display, escapeUntrusted, toSafeJson, trusted, type DisplayText } from '../core/display/index.js';
import type { Scenario } from '../core/exercise/scenario.js';
import { loadScenario, shippedScenarioFiles, type LoadedScenario } from '../adapters/exercise/scenario-files.js';
import { problemLine } from './playbook-commands.js';
import type { Command } from './command.js';

/** `kustody exercise list [--json]`. */
export const exerciseList: Command = {
  path: ['exercise', 'list'],
  usage: 'kustody exercise list [--json]',
  summary: 'list the shipped exercise scenarios, their objectives and attacker actions',
  help: 'Shows each shipped scenario (exercises/*.yaml) with its id, objectives, techniques and the attacker\'s schedule.\nStart one on the lab with `kustody exercise start ID --case CASE --yes`.',
  options: {},
  positionals: { min: 0, max: 0 },
  async run(_args, { io, json }) {
    const loaded = shippedScenarioFiles().map((file) => loadScenario(file));
    if (json) {
      io.out(toSafeJson({ scenarios: loaded.map((l) => (l.scenario === null ? { file: l.path, valid: false, problems: l.problems } : { file: l.path, valid: true, ...summary(l.scenario) })) }));
      return loaded.every((l) => l.scenario !== null) ? 0 : 1;
    }
    for (const l of loaded) for (const line of describe(l)) io.out(line);
    return loaded.every((l) => l.scenario !== null) ? 0 : 1;
  },
};

/** `kustody exercise validate [FILE|ID…] [--json]`: exit 1 when any file has a problem. */
export const exerciseValidate: Command = {
  path: ['exercise', 'validate'],
  usage: 'kustody exercise validate [FILE|ID…] [--json]',
  summary: 'check scenarios against the schema; names file:line and the problem',
  help: [
    'With no argument, checks every shipped scenario. Rejects unknown keys, objects the exercise may not create (unknown kinds,',
    'a namespace of their own, cluster-scoped names without ${{ namespace }}), unknown placeholders, times, measures and',
    'events, scoring rules naming unknown objectives, and an expected playbook that is not shipped. Exit 0 when all are valid.',
  ].join('\n'),
  options: {},
  positionals: { min: 0, max: 64 },
  async run(args, { io, json }) {
    const refs = args.positionals.length > 0 ? args.positionals : shippedScenarioFiles();
    const results = refs.map((ref) => ({ ref: args.positionals.length > 0 ? ref : `exercises/${basename(ref)}`, loaded: loadScenario(ref) }));
    const valid = results.every((r) => r.loaded.scenario !== null);
    if (json) {
      io.out(toSafeJson({ valid, files: results.map(({ ref, loaded }) => ({ file: ref, valid: loaded.scenario !== null, id: loaded.scenario?.id ?? null, problems: loaded.problems })) }));
      return valid ? 0 : 1;
    }
    for (const { ref, loaded } of results) {
      if (loaded.scenario !== null) io.out(display`ok       ${escapeUntrusted(ref)} (${escapeUntrusted(loaded.scenario.id)}, ${loaded.scenario.actions.length} attacker actions, ${loaded.scenario.injects.length} injects)`);
      else for (const problem of loaded.problems) io.out(problemLine(problem));
    }
    const bad = results.filter((r) => r.loaded.scenario === null).length;
    io.out(bad === 0 ? display`${results.length} scenario(s) valid.` : display`${bad} of ${results.length} scenario(s) invalid.`);
    return valid ? 0 : 1;
  },
};

function summary(s: Scenario) {
  return {
    id: s.id, title: s.title, summary: s.summary, duration_minutes: s.durationMinutes, expected_playbook: s.expectedPlaybook,
    techniques: s.techniques, objectives: s.objectives.map((o) => ({ id: o.id, text: o.text, measure: o.measure })),
    attacker: { service_account: s.attacker.serviceAccount, bound_to_pod: s.attacker.boundToPod },
    actions: s.actions.map((a) => ({ id: a.id, at: a.at, do: a.do, description: a.description, technique: a.technique })),
    injects: s.injects.map((i) => ({ id: i.id, at: i.at, message: i.message, has_action: i.action !== null })),
    hints: s.hints.map((h) => ({ id: h.id, cost: h.cost })),
    max_points: s.scoring.filter((r) => r.points > 0).reduce((sum, r) => sum + r.points, 0),
  };
}

/** When something happens, in words. */
export function describeTime(at: Scenario['actions'][number]['at']): string {
  return 'minute' in at ? `minute ${at.minute}` : `on ${at.event}`;
}

function describe(loaded: LoadedScenario): DisplayText[] {
  if (loaded.scenario === null) return [display`INVALID  ${escapeUntrusted(loaded.path)}`, ...loaded.problems.map((p) => display`  ${problemLine(p)}`)];
  const s = loaded.scenario;
  const lines: DisplayText[] = [display`${escapeUntrusted(s.id.padEnd(22))} ${escapeUntrusted(s.title)} (${s.durationMinutes} min, playbook ${escapeUntrusted(s.expectedPlaybook)})`, display`  ${escapeUntrusted(s.summary)}`];
  lines.push(display`  techniques: ${escapeUntrusted(s.techniques.map((t) => t.id).join(', '))}`);
  for (const o of s.objectives) lines.push(display`  objective ${escapeUntrusted(o.id)}: ${escapeUntrusted(o.text)}`);
  for (const a of s.actions) lines.push(display`  attacker  ${escapeUntrusted(describeTime(a.at).padEnd(20))} ${escapeUntrusted(a.description)}`);
  for (const i of s.injects) lines.push(display`  inject    ${escapeUntrusted(describeTime(i.at).padEnd(20))} ${escapeUntrusted(i.id)}`);
  lines.push(trusted(''));
  return lines;
}
