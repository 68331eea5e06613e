// The pod picker's list: one escaped row per pod with its risk signals, search over a precomputed
// lowercase index, and fixed-size pages; pure, no I/O.
import { escapeUntrusted, type DisplayText } from '../display/index.js';
import { podRiskSignals, type RiskContext, type RiskPodLike, type RiskSignal } from './risk-signals.js';

/** A pod as the picker lists it. */
export interface PodEntry {
  /** `namespace/name` exactly as the API returned it (what a typed confirmation compares against). */
  readonly ref: string;
  readonly namespace: DisplayText;
  readonly name: DisplayText;
  readonly phase: DisplayText;
  readonly node: DisplayText;
  readonly serviceAccount: DisplayText;
  readonly signals: readonly RiskSignal[];
  /** The escaped signal tags and details, ready to print. */
  readonly tags: DisplayText;
  readonly details: readonly DisplayText[];
  readonly search: string;
}

/** The fields of a pod the picker reads, beyond the risk signals' own. */
export type PickerPodLike = RiskPodLike & { readonly spec?: { readonly nodeName?: string }; readonly status?: { readonly phase?: string } };

/**
 * Builds the picker's entry for one pod.
 *
 * @example podEntry(pod, {}).tags // 'priv hostPath secrets:2'
 */
export function podEntry(pod: PickerPodLike, context: RiskContext): PodEntry {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const signals = podRiskSignals(pod, context);
  const escaped = {
    namespace: escapeUntrusted(namespace, { maxBytes: 256 }),
    name: escapeUntrusted(name, { maxBytes: 512 }),
    phase: escapeUntrusted(pod.status?.phase ?? '?', { maxBytes: 32 }),
    node: escapeUntrusted(pod.spec?.nodeName ?? '', { maxBytes: 256 }),
    serviceAccount: escapeUntrusted(pod.spec?.serviceAccountName ?? 'default', { maxBytes: 256 }),
  };
  const tags = escapeUntrusted(signals.map((s) => s.tag).join(' '));
  return {
    ref: `${namespace}/${name}`,
    ...escaped,
    signals,
    tags,
    details: signals.map((s) => escapeUntrusted(s.detail, { maxBytes: 1024 })),
    search: `${escaped.namespace}/${escaped.name} ${escaped.serviceAccount} ${escaped.node} ${tags}`.toLowerCase(),
  };
}

/** Returns the entries whose namespace/name, ServiceAccount, node or signal tags contain every term. */
export function searchPods(entries: readonly PodEntry[], query: string): readonly PodEntry[] {
  const terms = query.toLowerCase().split(/\s+/).filter((t) => t !== '');
  if (terms.length === 0) return entries;
  return entries.filter((e) => terms.every((t) => e.search.includes(t)));
}

/** One page of a list, and where it sits. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pages: number;
  readonly first: number;
}

/**
 * Cuts a list into pages of `size` and returns page `page` (clamped).
 *
 * @example pageOf([1, 2, 3], 1, 2) // {items: [3], page: 1, pages: 2, first: 2}
 */
export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const per = Math.max(1, size);
  const pages = Math.max(1, Math.ceil(items.length / per));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { items: items.slice(p * per, p * per + per), page: p, pages, first: p * per };
}
