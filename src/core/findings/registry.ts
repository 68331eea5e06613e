/**
 * Every finding rule, one line each, in report order. Add a rule by adding one line here (and its
 * framework ids to framework-map.ts).
 */
import { auditDeniedRule, auditExecRule, auditRbacChangeRule, auditSecretsReadRule, auditTokenMintedRule } from './rules/audit-activity.js';
import { auditNewOriginRule } from './rules/audit-new-origin.js';
import { captureGapRule } from './rules/capture-gap.js';
import { changeNotVerifiedRule } from './rules/change-not-verified.js';
import { dangerousRbacRule } from './rules/dangerous-rbac.js';
import { deletedExecutableRule } from './rules/deleted-executable.js';
import { isolationSurvivorRule } from './rules/isolation-survivor.js';
import { listenerRule } from './rules/listener.js';
import { liveCredentialRule } from './rules/live-credential.js';
import { openChecklistItemRule } from './rules/open-checklist-item.js';
import { persistenceRule } from './rules/persistence.js';
import { dangerousCapabilitiesRule, noSeccompRule } from './rules/process-hardening.js';
import { sensitiveMountRule } from './rules/sensitive-mount.js';
import type { FindingRule } from './types.js';

/** The rules `deriveFindings` runs. */
export const FINDING_RULES: readonly FindingRule[] = [
  isolationSurvivorRule,
  changeNotVerifiedRule,
  liveCredentialRule,
  dangerousRbacRule,
  deletedExecutableRule,
  dangerousCapabilitiesRule,
  noSeccompRule,
  sensitiveMountRule,
  listenerRule,
  captureGapRule,
  openChecklistItemRule,
  persistenceRule,
  auditNewOriginRule,
  auditRbacChangeRule,
  auditSecretsReadRule,
  auditExecRule,
  auditTokenMintedRule,
  auditDeniedRule,
];
