import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROW_JSON_COLUMNS, auditRowHead, storedRowJson } from '../../../src/core/audit/audit-row-line.js';
import { emptyAuditRow, type StoredAuditRow } from '../../../src/core/audit/audit-row.js';
import { rowLine } from '../../../src/core/capture/digest-rows.js';
import { parseAuditLine } from '../../../src/core/audit/parse-line.js';

const fingerprint = (value: string) => `hmac-sha256:${value.length}`;
const line = JSON.stringify({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a-1', stage: 'ResponseComplete', verb: 'create', requestURI: '/api/v1/namespaces/shop/pods',
  user: { username: 'system:serviceaccount:shop:web', groups: ['g'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=x'] } },
  userAgent: 'k\u00fcbectl \ud83d\ude80 \u001b[31m', objectRef: { resource: 'pods', namespace: 'shop', name: 'n"\\' }, responseStatus: { code: 201 },
  stageTimestamp: '2026-12-07T06:00:00.223456Z', annotations: { 'authorization.k8s.io/decision': 'allow' },
});

test('a row normalizeEvent builds is already in the digest line key order, so its text is JSON.stringify of it; the line it makes equals the stored-row line verify recomputes', () => {
  const parsed = parseAuditLine(Buffer.from(line), fingerprint, { file: '/logs/audit.log', line: 7 });
  assert.ok(parsed.ok);
  const [row] = parsed.rows;
  assert.ok(row !== undefined);
  assert.deepEqual(Object.keys(row), [...ROW_JSON_COLUMNS]);
  const text = storedRowJson(row);
  assert.equal(text, JSON.stringify(row));
  assert.equal(`${auditRowHead(12)}${text?.substring(1)}`, rowLine({ ...row, action_seq: 12 }));
});

test('a row in any other key order gives the same text; a lone surrogate or a number that is not a safe integer gives none', () => {
  const row: StoredAuditRow = { ...emptyAuditRow(), audit_id: 'b', stage: 'ResponseComplete', user_agent: 'ua \ud83d\ude80', response_code: 404, event_key: 'b/ResponseComplete', source_file: '/f', line: 3 };
  const reversed = Object.fromEntries(Object.entries(row).reverse()) as unknown as StoredAuditRow;
  const text = storedRowJson(reversed);
  assert.equal(text, storedRowJson(row));
  assert.deepEqual(Object.keys(JSON.parse(text ?? '{}') as object), [...ROW_JSON_COLUMNS]);
  assert.equal(storedRowJson({ ...row, user_agent: 'half \ud800' }), null);
  assert.equal(storedRowJson({ ...row, response_code: 1.5 }), null);
  assert.equal(storedRowJson({ ...row, line: 2 ** 53 }), null);
});
