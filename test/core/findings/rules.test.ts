import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveFindings, emptyFacts, type ActionFact, type CaseFacts } from '../../../src/core/findings/index.js';

const NOW = '2026-12-07T06:00:00.000Z';
const action = (seq: number, kind: string, target: string, outcome: string, detail: ActionFact['detail']): ActionFact => ({ seq, at: `2026-12-07T05:00:${String(seq).padStart(2, '0')}.000Z`, actor: 'r@h', kind, target, outcome, detail });
const facts = (over: Partial<CaseFacts>): CaseFacts => ({ ...emptyFacts('case-x', NOW), ...over });
const survivors = (found: ReturnType<typeof deriveFindings>) => found.filter((f) => f.rule === 'isolation-survivor');
const survivor = { proto: 'tcp', local_addr: '10.0.0.5', local_port: 443, remote_addr: '203.0.113.9', remote_port: 4444, state: 'ESTABLISHED' };

test('a connection that survived isolation with no later check is critical and cites the isolation-check custody row', () => {
  const found = survivors(deriveFindings(facts({ actions: [action(7, 'observe', 'pod:shop/web', 'isolation-incomplete', { step: 'isolation-check', established: [survivor], error: null })] })));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.severity, 'critical');
  assert.deepEqual(found[0]!.evidence, [{ table: 'actions', rowid: 7 }]);
  assert.match(found[0]!.detail, /203\.0\.113\.9:4444/);
  assert.ok(found[0]!.mappings.some((m) => m.id === 'RS.MI-01'));
});

test('a survivor superseded by a clean re-check is kept as history at medium severity', () => {
  const found = survivors(deriveFindings(facts({ actions: [
    action(7, 'observe', 'pod:shop/web', 'isolation-incomplete', { step: 'isolation-check', established: [survivor], error: null }),
    action(9, 'observe', 'pod:shop/web', 'isolated', { step: 'isolation-check', established: [], error: null }),
  ] })));
  assert.deepEqual(found.map((f) => f.severity), ['medium']);
});

test('a hostile isolation-check detail (not an array, huge list) neither throws nor lists more than ten connections', () => {
  const many = Array.from({ length: 5000 }, (_, i) => ({ ...survivor, remote_port: i }));
  const found = survivors(deriveFindings(facts({ actions: [
    action(1, 'observe', 'pod:a/b', 'isolation-incomplete', { step: 'isolation-check', established: 'nope' }),
    action(2, 'observe', 'pod:a/c', 'isolation-incomplete', { step: 'isolation-check', established: many }),
  ] })));
  assert.equal(found.length, 2);
  assert.match(found.find((f) => f.title.includes('5000'))!.detail, /and 4990 more/);
});

test('a rule that throws becomes an info finding naming it instead of losing the report', () => {
  const found = deriveFindings(facts({}), [{ id: 'boom', describes: 'x', derive: () => { throw new Error('bad row'); } }]);
  assert.equal(found[0]!.id, 'boom:rule-error');
  assert.match(found[0]!.detail, /bad row/);
});
