/** Which footprint vantages (debug, node) and which cut the guided UI offers, for which answers of the API server and which configured images, and the one line saying why when it does not. Pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_VANTAGE_NEEDS, VANTAGE_NEEDS, vantageLines, vantageOffers, withheldVantages, type ConfiguredImages, type NeedAnswer } from '../../src/core/ui/vantage-offer.js';
import type { PermissionNeed } from '../../src/core/ui/permission-needs.js';

const CONFIG = '/home/r/.config/kustody/config.yaml';
const COLLECTOR = { ref: 'registry.example/kustody-collector@sha256:' + 'a'.repeat(64), source: 'KUSTODY_COLLECTOR_IMAGE' };
const NETCUT = { ref: 'registry.example/netcut:1', source: `${CONFIG} (netcutImage)` };
const BOTH: ConfiguredImages = { collector: COLLECTOR, netcut: NETCUT, configPath: CONFIG };

/** Every vantage need answered `allowed`, except those `deny` picks (answered false) or `silent` picks (left out: the review failed). */
function answers(options: { deny?: (n: PermissionNeed) => boolean; silent?: (n: PermissionNeed) => boolean } = {}): NeedAnswer[] {
  return ALL_VANTAGE_NEEDS.flatMap((need) => (options.silent?.(need) === true ? [] : [{ need, allowed: options.deny?.(need) !== true }]));
}

const text = (offers: ReturnType<typeof vantageOffers>, cut = false) => vantageLines(offers, cut).map((l) => `${l.tone}|${l.text}`);

test('with every permission and both images, debug, node and the cut are all offered, each with its image and where it was configured', () => {
  const offers = vantageOffers(BOTH, answers(), false);
  assert.deepEqual(offers.debug, { offered: true, image: COLLECTOR.ref, source: 'KUSTODY_COLLECTOR_IMAGE' });
  assert.deepEqual(offers.node, { offered: true, image: COLLECTOR.ref, source: 'KUSTODY_COLLECTOR_IMAGE' });
  assert.deepEqual(offers.cut, { offered: true, image: NETCUT.ref, source: NETCUT.source });
  assert.deepEqual(withheldVantages(offers), {});
  assert.deepEqual(text(offers), [
    'ok|Vantages exec ✓  debug ✓  node ✓',
    `muted|         collector image ${COLLECTOR.ref} (from KUSTODY_COLLECTOR_IMAGE); each footprint is shown and confirmed before use`,
    `ok|Cut      [ ] cut surviving connections when isolating (c toggles) · image ${NETCUT.ref} (from ${NETCUT.source})`,
  ]);
  assert.match(text(offers, true)[2] ?? '', /Cut {6}\[x\] cut surviving/);
});

test('no collector image: debug and node are hidden in one line naming the flag, the variable and the settings file, whatever RBAC allows', () => {
  const offers = vantageOffers({ netcut: NETCUT, configPath: CONFIG }, answers(), false);
  const reason = `no collector image configured (--collector-image, KUSTODY_COLLECTOR_IMAGE, or collectorImage: in ${CONFIG})`;
  assert.deepEqual(offers.debug, { offered: false, reason });
  assert.deepEqual(offers.node, { offered: false, reason });
  assert.equal(offers.cut.offered, true, 'the cut has its own image');
  assert.deepEqual(withheldVantages(offers), { debug: reason, node: reason });
  assert.deepEqual(text(offers).slice(0, 2), ['warn|Vantages exec ✓  debug ✗  node ✗', `warn|         debug, node hidden: ${reason}`]);
});

test('no cut image: the cut is hidden saying which variable and settings key would give one', () => {
  const offers = vantageOffers({ collector: COLLECTOR, configPath: CONFIG }, answers(), false);
  assert.deepEqual(offers.cut, { offered: false, reason: `no cut image configured (KUSTODY_NETCUT_IMAGE, or netcutImage: in ${CONFIG}; BusyBox, ss and conntrack)` });
  assert.equal(text(offers).at(-1), `warn|Cut      hidden: no cut image configured (KUSTODY_NETCUT_IMAGE, or netcutImage: in ${CONFIG}; BusyBox, ss and conntrack)`);
});

test('RBAC denying ephemeral containers hides debug only, naming the permission; node stays offered', () => {
  const offers = vantageOffers(BOTH, answers({ deny: (n) => n.resource === 'pods/ephemeralcontainers' }), false);
  assert.deepEqual(offers.debug, { offered: false, reason: 'RBAC denies patch pods/ephemeralcontainers' });
  assert.equal(offers.node.offered, true);
  assert.deepEqual(withheldVantages(offers), { debug: 'RBAC denies patch pods/ephemeralcontainers' });
  const lines = text(offers);
  assert.equal(lines[0], 'ok|Vantages exec ✓  debug ✗  node ✓');
  assert.equal(lines[2], 'warn|         debug hidden: RBAC denies patch pods/ephemeralcontainers');
});

test('RBAC denying pods in kustody-system hides node and the cut, naming each denied permission with its namespace; debug stays offered', () => {
  const offers = vantageOffers(BOTH, answers({ deny: (n) => n.namespace === 'kustody-system' && n.verb === 'create' }), false);
  const reason = 'RBAC denies create pods in kustody-system, create pods/exec in kustody-system';
  assert.deepEqual(offers.node, { offered: false, reason });
  assert.deepEqual(offers.cut, { offered: false, reason });
  assert.equal(offers.debug.offered, true);
  assert.ok(text(offers).includes(`warn|         node hidden: ${reason}`));
});

test('different reasons for debug and node are said on one line, each vantage with its own', () => {
  const offers = vantageOffers(BOTH, answers({ deny: (n) => n.resource === 'pods/ephemeralcontainers' || n.resource === 'validatingadmissionpolicies' }), false);
  const hidden = text(offers).filter((l) => l.includes('hidden'));
  assert.deepEqual(hidden.slice(0, 1), ['warn|         debug hidden: RBAC denies patch pods/ephemeralcontainers; node hidden: RBAC denies create validatingadmissionpolicies.admissionregistration.k8s.io']);
});

test('a permission the API server did not answer hides the vantage as unknown, never offers it', () => {
  const offers = vantageOffers(BOTH, answers({ silent: (n) => n === VANTAGE_NEEDS.debug[0] }), false);
  assert.deepEqual(offers.debug, { offered: false, reason: 'the API server did not answer for patch pods/ephemeralcontainers' });
  const nulls = ALL_VANTAGE_NEEDS.map((need) => ({ need, allowed: null }));
  assert.equal(vantageOffers(BOTH, nulls, false).node.offered, false);
});

test('a read-only session offers no footprint vantage and no cut, whatever RBAC and the images allow', () => {
  const offers = vantageOffers(BOTH, answers(), true);
  const reason = 'read-only session (dry runs leave no footprint)';
  assert.deepEqual(offers, { debug: { offered: false, reason }, node: { offered: false, reason }, cut: { offered: false, reason } });
});

test('an answer counts only for the namespace it was asked in: pods/exec allowed cluster-wide does not stand in for an unanswered kustody-system', () => {
  const clusterWideOnly = answers({ silent: (n) => n.namespace === 'kustody-system' });
  assert.equal(vantageOffers(BOTH, clusterWideOnly, false).debug.offered, true);
  assert.match((vantageOffers(BOTH, clusterWideOnly, false).node as { reason: string }).reason, /^the API server did not answer for create pods in kustody-system, create pods\/exec in kustody-system, delete pods in kustody-system$/);
});

test('hostile image references and sources are escaped on the start screen', () => {
  const evil = { ref: 'evil\u001b]0;pwned\u0007:1', source: 'KUSTODY_COLLECTOR_IMAGE\u001b[2J' };
  const lines = vantageLines(vantageOffers({ collector: evil, netcut: evil, configPath: CONFIG }, answers(), false), false).map((l) => String(l.text)).join('\n');
  assert.doesNotMatch(lines, /\u001b|\u0007/);
});
