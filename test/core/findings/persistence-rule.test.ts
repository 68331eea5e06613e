// The persistence finding rule: sweep items become findings with their evidence; a removal the case applied lowers them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveFindings, emptyFacts, type ActionFact, type CaseFacts, type FactRow } from '../../../src/core/findings/index.js';

const NOW = '2026-12-07T06:00:00.000Z';
const item = (name: string, extra: Record<string, unknown> = {}) => ({ key: `CronJob/shop/${name}/uid-${name}`, kind: 'CronJob', namespace: 'shop', name, uid: `uid-${name}`, severity: 'high', removable: true, kept_because: null, reasons: ['runs on schedule "* * * * *"'], audit_rowids: [7], created_at: '2026-12-07T05:00:00.000Z', ...extra });
const capture: FactRow = { rowid: 3, capture_id: 'sweep-1', target: 'sweep:c', status: 'complete', started_at: NOW, detail: JSON.stringify({ sweep: 'persistence', items: [item('beacon'), item('kept', { kept_because: 'owned by x' })] }) };
const start: ActionFact = { seq: 10, at: NOW, actor: 'r', kind: 'observe', target: 'sweep:c', outcome: 'started', detail: { step: 'capture-start', capture_id: 'sweep-1', vantage: 'api' } };
const removal: ActionFact = { seq: 12, at: NOW, actor: 'r', kind: 'revoke', target: 'CronJob shop/beacon', outcome: 'applied', detail: { plan: 'sweep', change: { action: 'delete', target: { kind: 'CronJob', namespace: 'shop', name: 'beacon' }, uid: 'uid-beacon' } } };
const facts = (actions: ActionFact[]): CaseFacts => ({ ...emptyFacts('c', NOW), captures: [capture], actions: [{ seq: 11, at: NOW, actor: 'r', kind: 'observe', target: 'sweep:c', outcome: 'complete', detail: { step: 'capture-end', capture_id: 'sweep-1' } }, ...actions] });

test('each swept object is a persistence finding citing the sweep capture, its custody row and the audit events, mapped to MS-TA9014 and T1053.007', () => {
  const found = deriveFindings(facts([start])).filter((f) => f.rule === 'persistence');
  assert.deepEqual(found.map((f) => [f.title, f.severity]), [['CronJob shop/beacon', 'high'], ['CronJob shop/kept', 'high']]);
  assert.deepEqual(found[0]?.evidence, [{ table: 'captures', rowid: 3 }, { table: 'actions', rowid: 10 }, { table: 'audit_events', rowid: 7 }]);
  assert.deepEqual(found[0]?.mappings.map((m) => m.id), ['RS.MI-02', 'MS-TA9014', 'T1053.007']);
  assert.match(found[1]?.detail ?? '', /Not removed: owned by x/);
});

test('a removal the case applied (same uid) makes the finding low and cites the removal row; another object of that name is not covered', () => {
  const found = deriveFindings(facts([start, removal])).filter((f) => f.rule === 'persistence');
  const beacon = found.find((f) => f.title.includes('beacon'));
  assert.equal(beacon?.severity, 'low');
  assert.match(beacon?.title ?? '', /\(removed\)/);
  assert.ok(beacon?.evidence.some((e) => e.table === 'actions' && e.rowid === 12));
  assert.equal(found.find((f) => f.title.includes('kept'))?.severity, 'high');
});
