/** Audit event lines for ingest tests (pure data: the parser's input), and a way to query a case with the sqlite3 shell. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** One audit.k8s.io/v1 event as a JSON line (without newline). */
export function eventLine(id: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: id, stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/shop/secrets', verb: 'list',
    user: { username: 'system:serviceaccount:shop:web', groups: ['system:authenticated'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=11111111-2222-3333-4444-555555555555'] } },
    sourceIPs: ['10.0.0.9'], userAgent: 'curl/8.1', objectRef: { resource: 'secrets', namespace: 'shop', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 }, requestReceivedTimestamp: '2026-12-07T06:00:00.100000Z', stageTimestamp: '2026-12-07T06:00:00.200000Z',
    ...overrides,
  });
}

/** Runs SQL on a case's evidence.db with the sqlite3 shell and returns its output lines. */
export function sql(casePath: string, query: string): string[] {
  return execFileSync('sqlite3', [join(casePath, 'evidence.db'), query], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
}
