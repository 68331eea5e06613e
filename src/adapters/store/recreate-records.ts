/**
 * Reads what this case's custody log says of objects kustody deletes and recreates: a `--rotate-sa`
 * that deleted a ServiceAccount and never recreated it (the create failed, or the run was stopped
 * between the two), with the object it planned to create, so that revoke run again finishes it; and
 * whether a recreate was sent, so that a resumed plan can tell its own new object from someone else's.
 */
import type { JsonValue } from '../../core/custody/canonical-json.js';
import type { ReadableDb } from './open-store.js';

/** The ServiceAccount object an unfinished rotation of `namespace/name` planned to create, or null when every rotation of it finished. */
export function unfinishedRotation(db: ReadableDb, namespace: string, name: string): Record<string, JsonValue> | null {
  const target = `ServiceAccount ${namespace}/${name}`;
  // kustody's own rows: the change's id, kind and target are what apply-plan recorded.
  const rows = db.prepare(`SELECT seq, json_extract(detail, '$.change_id') AS change_id FROM actions
    WHERE kind = 'revoke' AND target = ? AND outcome IN ('applied', 'unverified', 'already-in-effect')
      AND json_extract(detail, '$.change_id') IN ('rotate-sa-delete', 'rotate-sa-create')
    ORDER BY seq DESC LIMIT 1`).all(target) as { seq: number; change_id: string }[];
  const last = rows[0];
  if (last === undefined || last.change_id !== 'rotate-sa-delete') return null;
  const plan = db.prepare(`SELECT detail FROM actions WHERE kind = 'plan' AND seq < ? AND json_extract(detail, '$.plan') = 'revoke'
    AND json_extract(detail, '$.dry_run') = 0 ORDER BY seq DESC LIMIT 1`).pluck().get(last.seq) as string | undefined;
  if (plan === undefined) return null;
  const changes = (JSON.parse(plan) as { changes?: { id?: string; change?: { action?: string; target?: { kind?: string; namespace?: string; name?: string }; object?: unknown } }[] }).changes ?? [];
  const create = changes.find((c) => c.id === 'rotate-sa-create')?.change;
  const matches = create?.action === 'create' && create.target?.kind === 'ServiceAccount' && create.target.namespace === namespace && create.target.name === name;
  return matches && typeof create.object === 'object' && create.object !== null ? (create.object as Record<string, JsonValue>) : null;
}

/** Whether this case recorded the intent to send change `changeId` on `target` (as describeRef writes it) after the intent to delete `replacedUid` there. */
export function recreateSent(db: ReadableDb, changeId: string, target: string, replacedUid: string): boolean {
  return db.prepare(`SELECT 1 FROM actions WHERE outcome = 'intent' AND target = ? AND json_extract(detail, '$.change_id') = ? AND seq > (
      SELECT min(seq) FROM actions WHERE outcome = 'intent' AND target = ? AND json_extract(detail, '$.change.action') = 'delete' AND json_extract(detail, '$.change.uid') = ?)
    LIMIT 1`).get(target, changeId, target, replacedUid) !== undefined;
}
