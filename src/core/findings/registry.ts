/**
 * Every finding rule, one line each, in report order. Add a rule by adding one line here (and its
 * framework ids to framework-map.ts).
 */
import { deletedExecutableRule } from './rules/deleted-executable.js';
import { isolationSurvivorRule } from './rules/isolation-survivor.js';
import { listenerRule } from './rules/listener.js';
import type { FindingRule } from './types.js';

/** The rules `deriveFindings` runs. */
export const FINDING_RULES: readonly FindingRule[] = [
  isolationSurvivorRule,
  deletedExecutableRule,
  listenerRule,
];
