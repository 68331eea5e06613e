import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributionLine, removeAttributedOnly } from '../../../src/core/sweep/attributed-only.js';
import { sweepWindow } from '../../../src/core/sweep/since.js';
import type { PersistenceItem } from '../../../src/core/sweep/types.js';

const NOW = new Date('2026-12-07T11:00:00.000Z');

function item(name: string, source: PersistenceItem['source'], removable = true, created = source !== 'scan'): PersistenceItem {
  return {
    key: `CronJob/shop/${name}/u-${name}`, kind: 'CronJob', namespace: 'shop', name, uid: `u-${name}`, resourceVersion: '1', createdAt: '2026-12-07T10:00:00Z',
    reasons: ['created'], source, severity: 'high', removable, keptBecause: removable ? null : 'owned by Deployment/x', techniques: [], object: {}, auditRowids: source === 'scan' ? [] : [7],
    createdBy: created ? { username: 'system:serviceaccount:shop:web', at: '2026-12-07T10:00:00Z', auditRowids: [7] } : null,
  };
}

test('the sweep window starts at the incident start given, else at the earliest leaked token issue time, else the step duration before now', () => {
  assert.deepEqual(sweepWindow({ given: '2026-12-01T00:00:00Z', leakedIssuedAt: [Date.parse('2026-12-06T00:00:00Z') / 1000], duration: '24h', now: NOW }), { since: '2026-12-01T00:00:00.000Z', from: 'incident start given (--since)' });
  assert.deepEqual(sweepWindow({ given: undefined, leakedIssuedAt: [Date.parse('2026-12-06T09:00:00Z') / 1000, Date.parse('2026-12-05T09:00:00Z') / 1000], duration: '24h', now: NOW }), { since: '2026-12-05T09:00:00.000Z', from: "the leaked token's issue time (iat)" });
  assert.deepEqual(sweepWindow({ given: undefined, leakedIssuedAt: [], duration: '6h', now: NOW }), { since: '2026-12-07T05:00:00.000Z', from: "the playbook step's default window" });
});

test('an attacker-forged issue time in the future or at zero does not move the sweep window: the step duration applies', () => {
  const future = Date.parse('2027-01-01T00:00:00Z') / 1000;
  assert.equal(sweepWindow({ given: undefined, leakedIssuedAt: [future, 0, Number.NaN], duration: '24h', now: NOW }).since, '2026-12-06T11:00:00.000Z');
});

test('a sweep removes only what the audit log shows a case identity creating; scan-only finds, and team objects the attacker only changed, are kept and reported with how to remove them after review', () => {
  const out = removeAttributedOnly([item('planted', 'audit'), item('both', 'scan+audit'), item('team-job', 'scan'), item('owned', 'scan', false), item('touched', 'scan+audit', true, false)], true);
  assert.deepEqual(out.map((i) => [i.name, i.removable]), [['planted', true], ['both', true], ['team-job', false], ['owned', false], ['touched', false]]);
  assert.match(out[2]!.keptBecause ?? '', /audit log does not tie it to an identity of this case.*kustody audit sweep --include-unattributed --yes/);
  assert.match(out[4]!.keptBecause ?? '', /created in the window by someone else; an identity of this case only changed it/);
  assert.deepEqual(out.map(attributionLine), [
    'attributed: created by system:serviceaccount:shop:web at 2026-12-07T10:00:00Z (audit_events rows 7)',
    'attributed: created by system:serviceaccount:shop:web at 2026-12-07T10:00:00Z (audit_events rows 7)',
    'not attributed: found by creation time only (no audit event of this case\'s identities)',
    'not attributed: found by creation time only (no audit event of this case\'s identities)',
    'not attributed: only changed by an identity of this case (audit_events rows 7)',
  ]);
  assert.equal(out[3]!.keptBecause, 'owned by Deployment/x');
  const noLog = removeAttributedOnly([item('team-job', 'scan')], false);
  assert.match(noLog[0]!.keptBecause ?? '', /no audit log is in the case/);
});
