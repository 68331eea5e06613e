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

/** Stores a capture of pod `target` holding one ServiceAccount token with these JWT claims (through the real store API), as `kustody capture` would. */
export async function storeCapturedToken(casePath: string, target: string, claims: Record<string, unknown>): Promise<void> {
  const { beginCapture, commitCaptureStep, finishCapture } = await import('../../src/adapters/store/capture-store.js');
  const { openWritableDb } = await import('../../src/adapters/store/open-store.js');
  const db = openWritableDb(join(casePath, 'evidence.db'));
  try {
    const stamp = { at: '2026-12-07T06:00:00.000Z', actor: 'tester@host' };
    const captureId = `cap-${target.replace(/[^a-z0-9]/g, '-')}`;
    beginCapture(db, { captureId, target, vantage: 'api', detail: {} }, stamp);
    const credential = { kind: 'serviceaccount-token', location: 'file:/var/run/secrets/kubernetes.io/serviceaccount/token', subject: typeof claims.sub === 'string' ? claims.sub : null, fingerprint: `hmac-sha256:${captureId}`, expires_at: null, claims_json: JSON.stringify({ jwt: claims }), pid: null };
    commitCaptureStep(db, { captureId, target, step: 'credentials', rows: { credentials: [credential] }, warnings: [] }, stamp);
    finishCapture(db, { captureId, target, status: 'complete', unfinished: [], notes: [] }, stamp);
  } finally {
    db.close();
  }
}
