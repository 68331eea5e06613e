/** Reads the connections the case's latest capture of a target recorded (what a cut's dry run can show without touching the pod). */
import type { ConnectionRow } from '../../core/capture/capture-rows.js';
import type { ReadableDb } from './open-store.js';

/** The latest finished capture of `target` (`pod:ns/name`) and its connection rows, or null when the case has none. */
export function latestCapturedConnections(db: ReadableDb, target: string): { captureId: string; capturedAt: string; rows: ConnectionRow[] } | null {
  const capture = db.prepare("SELECT capture_id, started_at FROM captures WHERE target = ? AND status IN ('complete', 'partial') ORDER BY started_at DESC, rowid DESC LIMIT 1").get(target) as { capture_id: string; started_at: string } | undefined;
  if (capture === undefined) return null;
  const rows = db.prepare('SELECT proto, local_addr, local_port, remote_addr, remote_port, state, inode, pid FROM connections WHERE capture_id = ? ORDER BY rowid').all(capture.capture_id) as Array<Record<string, unknown>>;
  return {
    captureId: capture.capture_id,
    capturedAt: capture.started_at,
    rows: rows.map((r) => ({
      proto: r.proto as ConnectionRow['proto'], local_addr: r.local_addr as string | null, local_port: r.local_port as number | null,
      remote_addr: r.remote_addr as string | null, remote_port: r.remote_port as number | null, state: String(r.state ?? ''),
      inode: BigInt((r.inode as number | bigint | null) ?? 0), pid: r.pid as number | null, fd: null, net_ns: '', uid: null,
    })),
  };
}
