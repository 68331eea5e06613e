/**
 * Every subcommand, by path, loaded only when it runs: the cluster client and the terminal UI each
 * take about a third of a second to load, which `kustody case note` should not pay. Add a command
 * here with its path and a loader for the module that exports it.
 */
import type { Command } from './command.js';

/** One registered command: its path (a second word of '' means a one-word command) and how to load it. */
export interface CommandEntry {
  path: readonly [string, string];
  load: () => Promise<Command>;
  /** Left out of help and completion (the completion scripts' helper). */
  hidden?: boolean;
}

/** The registry, in the order help lists it. */
export const COMMAND_ENTRIES: readonly CommandEntry[] = [
  { path: ['case', 'new'], load: async () => (await import('./case-commands.js')).caseNew },
  { path: ['case', 'note'], load: async () => (await import('./case-commands.js')).caseNote },
  { path: ['case', 'show'], load: async () => (await import('./case-commands.js')).caseShow },
  { path: ['capture', 'local'], load: async () => (await import('./capture-commands.js')).captureLocal },
  { path: ['capture', 'pod'], load: async () => (await import('./capture-commands.js')).capturePodCommand },
  { path: ['isolate', ''], load: async () => (await import('./contain-commands.js')).isolateCommand },
  { path: ['release', ''], load: async () => (await import('./contain-commands.js')).releaseCommand },
  { path: ['collector', 'image'], load: async () => (await import('./collector-image-command.js')).collectorImageCommand },
  { path: ['cleanup', ''], load: async () => (await import('./cleanup-command.js')).cleanupCommand },
  { path: ['identities', ''], load: async () => (await import('./identities-command.js')).identitiesCommand },
  { path: ['revoke', ''], load: async () => (await import('./revoke-command.js')).revokeCommand },
  { path: ['audit', 'sweep'], load: async () => (await import('./sweep-commands.js')).auditSweep },
  { path: ['audit', 'restore'], load: async () => (await import('./sweep-commands.js')).auditRestore },
  { path: ['bundle', 'export'], load: async () => (await import('./bundle-commands.js')).bundleExport },
  { path: ['bundle', 'verify'], load: async () => (await import('./bundle-commands.js')).bundleVerify },
  { path: ['report', ''], load: async () => (await import('./report-command.js')).reportCommand },
  { path: ['review', ''], load: async () => (await import('./review-command.js')).reviewCommand },
  { path: ['ui', ''], load: async () => (await import('./review-command.js')).uiCommand },
  { path: ['playbook', 'list'], load: async () => (await import('./playbook-commands.js')).playbookList },
  { path: ['playbook', 'validate'], load: async () => (await import('./playbook-commands.js')).playbookValidate },
  { path: ['exercise', 'list'], load: async () => (await import('./exercise-commands.js')).exerciseList },
  { path: ['exercise', 'validate'], load: async () => (await import('./exercise-commands.js')).exerciseValidate },
  { path: ['exercise', 'start'], load: async () => (await import('./exercise-live-commands.js')).exerciseStart },
  { path: ['exercise', 'watch'], load: async () => (await import('./exercise-watch-command.js')).exerciseWatch },
  { path: ['exercise', 'inject'], load: async () => (await import('./exercise-play-commands.js')).exerciseInject },
  { path: ['exercise', 'hint'], load: async () => (await import('./exercise-play-commands.js')).exerciseHint },
  { path: ['exercise', 'stop'], load: async () => (await import('./exercise-live-commands.js')).exerciseStop },
  { path: ['exercise', '__attacker'], load: async () => (await import('./exercise-play-commands.js')).exerciseAttacker, hidden: true },
  { path: ['exercise', 'score'], load: async () => (await import('./exercise-score-commands.js')).exerciseScore },
  { path: ['exercise', 'report'], load: async () => (await import('./exercise-score-commands.js')).exerciseReport },
  { path: ['exercise', 'replay'], load: async () => (await import('./exercise-replay-commands.js')).exerciseReplay },
  { path: ['exercise', 'record'], load: async () => (await import('./exercise-replay-commands.js')).exerciseRecord },
  { path: ['timeline', ''], load: async () => (await import('./timeline-command.js')).timelineCommand },
  { path: ['run', ''], load: async () => (await import('./run-playbook-command.js')).runPlaybookCommand },
  { path: ['check', ''], load: async () => (await import('./check-command.js')).checkCommand },
  { path: ['audit', 'ingest'], load: async () => (await import('./audit-ingest-command.js')).auditIngest },
  { path: ['audit', 'who'], load: async () => (await import('./audit-who-command.js')).auditWho },
  { path: ['completion', ''], load: async () => (await import('./completion-command.js')).completionCommand },
  { path: ['__complete', ''], load: async () => (await import('./completion-command.js')).completeCommand, hidden: true },
];
