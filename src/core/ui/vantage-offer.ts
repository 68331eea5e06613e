// Which capture vantages and which cut the guided UI may offer: each needs a configured image and the
// responder's rights (asked of the API server, one SelfSubjectAccessReview each). Pure.
import { display, escapeUntrusted, joinDisplay, trusted, type DisplayText } from '../display/index.js';
import { describeNeed, type PermissionNeed } from './permission-needs.js';

/** The namespace kustody's node pods run in (runner/collector-footprint.ts). */
const KUSTODY_NAMESPACE = 'kustody-system';

const need = (verb: string, group: string, resource: string, why: string, namespace?: string): PermissionNeed => ({ verb, group, resource, why, ...(namespace === undefined ? {} : { namespace }) });

const NODE_POD: readonly PermissionNeed[] = [
  need('create', '', 'pods', 'place kustody\'s node pod', KUSTODY_NAMESPACE),
  need('create', '', 'pods/exec', 'run the collector in kustody\'s node pod', KUSTODY_NAMESPACE),
  need('delete', '', 'pods', 'remove kustody\'s node pod afterwards', KUSTODY_NAMESPACE),
  need('create', 'admissionregistration.k8s.io', 'validatingadmissionpolicies', 'guard kustody\'s node pod while it runs'),
];

/** What each footprint vantage and the cut ask of the API server. */
export const VANTAGE_NEEDS: Readonly<Record<'debug' | 'node' | 'cut', readonly PermissionNeed[]>> = {
  debug: [
    need('patch', '', 'pods/ephemeralcontainers', 'add kustody\'s ephemeral collector container'),
    need('create', '', 'pods/exec', 'run the collector in it'),
  ],
  node: NODE_POD,
  cut: NODE_POD,
};

/** Every vantage need once, for the cluster probe. */
export const ALL_VANTAGE_NEEDS: readonly PermissionNeed[] = [...new Set([...VANTAGE_NEEDS.debug, ...VANTAGE_NEEDS.node])];

/** One answer of the probe. */
export interface NeedAnswer {
  readonly need: PermissionNeed;
  readonly allowed: boolean | null;
}

/** Whether one vantage is offered, with the image and where it was configured, or why not. */
export type VantageOffer =
  | { readonly offered: true; readonly image: string; readonly source: string }
  | { readonly offered: false; readonly reason: string };

/** The offers the start screen shows and a run uses. */
export interface VantageOffers {
  readonly debug: VantageOffer;
  readonly node: VantageOffer;
  readonly cut: VantageOffer;
}

/** The images as configured (flag, environment or settings file), each with where it came from. */
export interface ConfiguredImages {
  readonly collector?: { readonly ref: string; readonly source: string };
  readonly netcut?: { readonly ref: string; readonly source: string };
  /** The settings file's path, to name in the reason when no image is configured. */
  readonly configPath: string;
}

/** A need as the API server is asked it: verb, group, resource and namespace (a cluster-wide answer is not one for a namespace, nor the reverse). */
const needKey = (n: PermissionNeed) => `${n.verb} ${n.group} ${n.resource} ${n.namespace ?? '*'}`;

function offer(kind: 'debug' | 'node' | 'cut', image: { ref: string; source: string } | undefined, answers: readonly NeedAnswer[], missingImage: string): VantageOffer {
  if (image === undefined) return { offered: false, reason: missingImage };
  const wanted = VANTAGE_NEEDS[kind];
  const answerOf = (n: PermissionNeed) => answers.find((a) => needKey(a.need) === needKey(n))?.allowed ?? null;
  const denied = wanted.filter((n) => answerOf(n) === false);
  const unknown = wanted.filter((n) => answerOf(n) === null);
  const where = (n: PermissionNeed) => `${describeNeed(n)}${n.namespace === undefined ? '' : ` in ${n.namespace}`}`;
  if (denied.length > 0) return { offered: false, reason: `RBAC denies ${denied.map(where).join(', ')}` };
  if (unknown.length > 0) return { offered: false, reason: `the API server did not answer for ${unknown.map(where).join(', ')}` };
  return { offered: true, image: image.ref, source: image.source };
}

/**
 * Decides what the UI offers. Read-only sessions never leave a footprint, so nothing is offered there.
 *
 * @example vantageOffers({ configPath: '~/.config/kustody/config.yaml' }, [], false).debug // { offered: false, reason: 'no collector image configured …' }
 */
export function vantageOffers(images: ConfiguredImages, answers: readonly NeedAnswer[], readOnly: boolean): VantageOffers {
  if (readOnly) {
    const reason = 'read-only session (dry runs leave no footprint)';
    return { debug: { offered: false, reason }, node: { offered: false, reason }, cut: { offered: false, reason } };
  }
  const noCollector = `no collector image configured (--collector-image, KUSTODY_COLLECTOR_IMAGE, or collectorImage: in ${images.configPath})`;
  const noNetcut = `no cut image configured (KUSTODY_NETCUT_IMAGE, or netcutImage: in ${images.configPath}; BusyBox, ss and conntrack)`;
  return {
    debug: offer('debug', images.collector, answers, noCollector),
    node: offer('node', images.collector, answers, noCollector),
    cut: offer('cut', images.netcut, answers, noNetcut),
  };
}

/** The footprint vantages not offered, each with why (a run skips them with that reason). */
export function withheldVantages(offers: VantageOffers): Partial<Record<'debug' | 'node', string>> {
  const withheld: Partial<Record<'debug' | 'node', string>> = {};
  for (const k of ['debug', 'node'] as const) {
    const o = offers[k];
    if (!o.offered) withheld[k] = o.reason;
  }
  return withheld;
}

/** One line of the start screen's vantage block, with its tone. */
export interface VantageLine {
  readonly tone: 'ok' | 'warn' | 'muted';
  readonly text: DisplayText;
}

/** Words the offers for the start screen: what is offered (with the image and where it was configured), and each hidden vantage with why. */
export function vantageLines(offers: VantageOffers, cutChosen: boolean): VantageLine[] {
  const mark = (o: VantageOffer) => (o.offered ? trusted('✓') : trusted('✗'));
  const lines: VantageLine[] = [{ tone: offers.debug.offered || offers.node.offered ? 'ok' : 'warn', text: display`Vantages exec ✓  debug ${mark(offers.debug)}  node ${mark(offers.node)}` }];
  const shown = offers.debug.offered ? offers.debug : offers.node.offered ? offers.node : null;
  if (shown !== null && shown.offered) lines.push({ tone: 'muted', text: display`         collector image ${escapeUntrusted(shown.image)} (from ${escapeUntrusted(shown.source)}); each footprint is shown and confirmed before use` });
  const hidden = Object.entries(withheldVantages(offers));
  const same = hidden.length === 2 && hidden[0]?.[1] === hidden[1]?.[1];
  const why = same ? [display`debug, node hidden: ${escapeUntrusted(hidden[0]?.[1] ?? '')}`] : hidden.map(([k, reason]) => display`${escapeUntrusted(k)} hidden: ${escapeUntrusted(reason)}`);
  if (why.length > 0) lines.push({ tone: 'warn', text: display`         ${joinDisplay(why, trusted('; '))}` });
  const cut = offers.cut;
  lines.push(cut.offered
    ? { tone: 'ok', text: display`Cut      ${cutChosen ? trusted('[x]') : trusted('[ ]')} cut surviving connections when isolating (c toggles) · image ${escapeUntrusted(cut.image)} (from ${escapeUntrusted(cut.source)})` }
    : { tone: 'warn', text: display`Cut      hidden: ${escapeUntrusted(cut.reason)}` });
  return lines;
}
