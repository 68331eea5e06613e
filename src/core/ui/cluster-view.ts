// What the start screen knows about the cluster and the playbooks, and how it words them; pure.
import { display, escapeUntrusted, trusted, type DisplayText } from '../display/index.js';
import { describeNeed, permissionsFor, type PermissionNeed } from './permission-needs.js';
import type { VantageOffers } from './vantage-offer.js';

/** The API server's answer to one SelfSubjectAccessReview (null when the review itself failed). */
export interface PermissionCheck {
  readonly need: PermissionNeed;
  readonly allowed: boolean | null;
}

/** Where the cluster probe stands. Every string in it came from the kubeconfig or the API server. */
export type ClusterStatus =
  | { readonly kind: 'checking' }
  | { readonly kind: 'ready'; readonly context: string; readonly server: string; readonly user: string; readonly groups: readonly string[]; readonly checks: readonly PermissionCheck[]; readonly credential?: string; readonly vantages?: VantageOffers }
  | { readonly kind: 'unreachable'; readonly reason: string; readonly nextStep: string };

/** A playbook as the start screen offers it. */
export interface PlaybookChoice {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** True when the playbook starts from a leaked token file (headless only). */
  readonly needsToken: boolean;
  readonly steps: readonly { readonly id: string; readonly title: string; readonly action: string; readonly danger: string }[];
}

/** The permission checks that matter for one playbook, in its steps' order. */
export function checksFor(playbook: PlaybookChoice, checks: readonly PermissionCheck[], readOnly: boolean): PermissionCheck[] {
  const actions = playbook.steps.filter((s) => !readOnly || s.danger === 'observe').map((s) => s.action);
  const wanted = permissionsFor(actions).map(describeNeed);
  return wanted.map((w) => checks.find((c) => describeNeed(c.need) === w)).filter((c): c is PermissionCheck => c !== undefined);
}

/**
 * One line of the permission table: a mark, `verb resource` and why it is needed.
 *
 * @example permissionLine({need: {verb: 'patch', group: '', resource: 'pods', why: 'add the quarantine label'}, allowed: true}) // '✓ patch pods  add the quarantine label'
 */
export function permissionLine(check: PermissionCheck): DisplayText {
  const mark = check.allowed === true ? trusted('✓') : check.allowed === false ? trusted('✗') : trusted('?');
  return display`${mark} ${escapeUntrusted(describeNeed(check.need).padEnd(44))} ${escapeUntrusted(check.need.why)}`;
}

/** Summarises the checks: all allowed, or how many are denied or unknown. */
export function permissionVerdict(checks: readonly PermissionCheck[]): { ok: boolean; text: DisplayText } {
  const denied = checks.filter((c) => c.allowed === false).length;
  const unknown = checks.filter((c) => c.allowed === null).length;
  if (denied === 0 && unknown === 0) return { ok: true, text: display`All ${checks.length} permissions this playbook needs are granted.` };
  return { ok: false, text: display`${denied} denied, ${unknown} unknown of ${checks.length}: the steps that need them will fail (the runner says which).` };
}
