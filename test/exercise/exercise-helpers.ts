/** Helpers for the exercise tests on the lab: read the exercise log, wait for its events, snapshot the cluster (starting an exercise: test/helpers/lab-exercise.ts). */
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, type LabEnv } from '../helpers/lab.js';

/** One exercise_events row, detail parsed. */
export interface EventRow {
  seq: number;
  kind: string;
  name: string;
  outcome: string;
  detail: Record<string, unknown>;
}

/** The events of the case's exercises, in order. */
export function exerciseEvents(caseDir: string): EventRow[] {
  const path = join(caseDir, 'exercise.db');
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT seq, kind, name, outcome, detail_json FROM exercise_events ORDER BY seq').all() as Array<{ seq: number; kind: string; name: string; outcome: string; detail_json: string }>)
      .map((r) => ({ seq: r.seq, kind: r.kind, name: r.name, outcome: r.outcome, detail: JSON.parse(r.detail_json) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

/** The case's exercise rows. */
export function exerciseRows(caseDir: string): Array<{ id: number; namespace: string; stopped_at: string | null; attacker_pid: number | null }> {
  const db = new Database(join(caseDir, 'exercise.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, namespace, stopped_at, attacker_pid FROM exercise ORDER BY id').all() as Array<{ id: number; namespace: string; stopped_at: string | null; attacker_pid: number | null }>;
  } finally {
    db.close();
  }
}

/** Waits until an event matching `match` is in the exercise log (fails after `ms`, showing the log). */
export async function waitForEvent(caseDir: string, match: (row: EventRow) => boolean, ms = 90_000): Promise<EventRow> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = exerciseEvents(caseDir).find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no matching exercise event within ${ms} ms:\n${exerciseEvents(caseDir).map((r) => `${r.seq} ${r.kind} ${r.name} ${r.outcome}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Whether a process is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !(readStat(pid)?.startsWith('Z') ?? true);
  } catch {
    return false;
  }
}

function readStat(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2);
  } catch {
    return null;
  }
}

/** Every object of every listable kind (events and leases aside), as `kind namespace/name uid resourceVersion` with its JSON. */
export async function clusterSnapshot(lab: LabEnv): Promise<Map<string, { resourceVersion: string; json: string }>> {
  const kinds = await kubectl(lab, 'admin', ['api-resources', '--verbs=list', '-o', 'name']);
  if (kinds.exitCode !== 0) throw new Error(kinds.stderr);
  const names = kinds.stdout.split('\n').filter((n) => n !== '' && !/^(events|leases\.|events\.events|endpoints$|endpointslices\.|componentstatuses)/.test(n));
  const all = await kubectl(lab, 'admin', ['get', names.join(','), '-A', '-o', 'json'], { timeout: 120_000 });
  if (all.exitCode !== 0) throw new Error(all.stderr);
  const items = (JSON.parse(all.stdout) as { items: Array<{ kind: string; metadata: { namespace?: string; name: string; uid: string; resourceVersion: string } }> }).items;
  return new Map(items.map((i) => [`${i.kind} ${i.metadata.namespace ?? ''}/${i.metadata.name} ${i.metadata.uid}`, { resourceVersion: i.metadata.resourceVersion, json: JSON.stringify(i) }]));
}

const STABLE_KINDS = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount', 'Secret', 'ConfigMap', 'Pod', 'Deployment', 'CronJob', 'Job', 'Service', 'Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
const STABLE_NAMESPACES = new Set(['', 'default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * What an exercise left behind or changed: objects after that mention its namespace (any kind,
 * anywhere), and objects of the kinds it could touch, in the namespaces no test owns or cluster-wide,
 * that were there before and are gone or changed after (controller-aggregated ClusterRoles aside).
 */
export function compareSnapshots(before: Map<string, { resourceVersion: string; json: string }>, after: Map<string, { resourceVersion: string; json: string }>, namespace: string): { leftOver: string[]; changed: string[] } {
  const labStart = Date.parse(/"creationTimestamp":"([^"]+)"/.exec([...before.entries()].find(([k]) => k.startsWith('Namespace /kube-system '))?.[1].json ?? '')?.[1] ?? '');
  const leftOver = [...after.entries()].filter(([, v]) => v.json.includes(namespace)).map(([k]) => k);
  const changed: string[] = [];
  for (const [key, value] of before) {
    const [kind = '', where = ''] = key.split(' ');
    const ns = where.slice(0, where.indexOf('/'));
    if (!STABLE_KINDS.has(kind) || !STABLE_NAMESPACES.has(ns)) continue;
    if (kind === 'Namespace' && !STABLE_NAMESPACES.has(where.slice(1))) continue;
    if (kind === 'ClusterRole' && value.json.includes('"aggregationRule"')) continue;
    // Cluster-wide, only what the lab's bootstrap made: other helpers' tests create and delete their own
    // cluster-scoped objects concurrently, and re-apply kustody's roles (deploy/rbac*.yaml) to the lab.
    if (ns === '' && kind !== 'Namespace' && (!bootstrapped(value.json, labStart) || where.startsWith('/kustody'))) continue;
    const now = after.get(key);
    if (now === undefined) changed.push(`${key} is gone`);
    else if (now.resourceVersion !== value.resourceVersion) changed.push(`${key} changed`);
  }
  return { leftOver, changed };
}

function bootstrapped(json: string, labStart: number): boolean {
  const created = Date.parse(/"creationTimestamp":"([^"]+)"/.exec(json)?.[1] ?? '');
  return Number.isFinite(labStart) && created <= labStart + 10 * 60_000;
}
