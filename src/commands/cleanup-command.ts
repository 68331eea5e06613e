/** `kustody cleanup --case C`: remove what the case's captures left in the cluster (collector pods, their guards). */
import { UsageError } from '../core/errors.js';
import { planFootprintCleanup } from '../runner/run-cleanup.js';
import { applyAndPrint, openChangeSession } from './change-support.js';
import type { Command } from './command.js';
import { KUBE_OPTIONS } from './kube-options.js';
import { connectFromFlags } from './kube-connect.js';

/** `kustody cleanup --case CASE [--dry-run] [--yes] [--json]`. */
export const cleanupCommand: Command = {
  path: ['cleanup', ''],
  usage: 'kustody cleanup --case CASE [--dry-run] [--yes] [--json]',
  summary: 'remove kustody\'s footprint left by the case\'s captures (collector pods, their guards)',
  help: [
    'Reads the case\'s custody log for every collector pod and guard a capture started to create (also one cut off',
    'by a crash or a kill), reads the cluster, and plans the deletion of those still present and still carrying this',
    'case: pods first, then their guards. Previewed with a server-side dry run; applied only with --yes; each',
    'deletion read back and recorded. The collector namespace (kustody-system) is shared by cases and kept.',
  ].join('\n'),
  options: { ...KUBE_OPTIONS, case: { type: 'string' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run(args, { io, json, env }) {
    if (typeof args.values.case !== 'string') throw new UsageError('cleanup needs --case CASE: it removes what that case left.', 'Pass the case folder.');
    const kube = await connectFromFlags(args.values, env);
    const session = await openChangeSession(args.values.case, kube, env);
    try {
      const plan = await planFootprintCleanup(kube, session);
      return await applyAndPrint(plan, kube, session, io, { json, yes: args.values.yes === true, dryRun: args.values['dry-run'] === true });
    } finally {
      session.close();
    }
  },
};
