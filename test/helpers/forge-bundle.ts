/**
 * The strongest forger without the signing key: edits rows in an extracted bundle, then recomputes
 * every row digest and the whole custody chain with the algorithms docs/evidence-schema.md
 * publishes, and rewrites manifest.json and SHA256SUMS, so the bundle is consistent in itself.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const RECHAIN = `
import hashlib, json, sqlite3, sys
db = sqlite3.connect("evidence.db")
db.executescript(sys.argv[1])
def jcs(v):
    if isinstance(v, dict): return {k: jcs(v[k]) for k in sorted(v, key=lambda k: k.encode("utf-16-be"))}
    if isinstance(v, list): return [jcs(x) for x in v]
    return v
dumps = lambda v: json.dumps(jcs(v), separators=(",", ":"), ensure_ascii=False)
TABLES = ["cases", "artifacts", "captures", "processes", "connections", "mounts", "credentials", "k8s_objects", "capture_warnings", "audit_events"]
def rows_of(table):
    cursor = db.execute(f"SELECT * FROM {table} ORDER BY rowid")
    names = [c[0] for c in cursor.description]
    return [{k: v for k, v in zip(names, values) if not (table == "artifacts" and k == "content")} for values in cursor]
streams = {t: rows_of(t) for t in TABLES}
def owner(table, row, seq=None, detail=None):
    if table == "cases": return ""
    if table in ("artifacts", "audit_events"): return str(row["action_seq"]) if detail is None else str(seq)
    src = row if detail is None else detail
    return src["capture_id"] + ("/" + src["step"] if table == "capture_warnings" else "")
line = lambda row: json.dumps({k: row[k] for k in sorted(row)}, separators=(",", ":"), ensure_ascii=False) + "\\n"
prev = "0" * 64
for seq, at, actor, kind, target, detail, outcome in list(db.execute("SELECT seq, at, actor, kind, target, detail, outcome FROM actions ORDER BY seq")):
    detail = json.loads(detail)
    for table in list((detail.get("rows_sha256") or {}).keys()):
        h = hashlib.sha256(b"kustody-rows-v1\\n")
        taken = 0
        while streams[table] and owner(table, streams[table][0]) == owner(table, None, seq, detail):
            row = streams[table].pop(0)
            if table == "captures": row = dict(row, finished_at=None, status="running")
            h.update(line(row).encode())
            taken += 1
        detail["rows"][table] = taken
        detail["rows_sha256"][table] = h.hexdigest()
    row = dict(seq=seq, at=at, actor=actor, kind=kind, target=target, detail=detail, outcome=outcome, prev_hash=prev)
    h = hashlib.sha256(("kustody-row-v1\\n" + dumps(row)).encode()).hexdigest()
    db.execute("UPDATE actions SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?", (dumps(detail), prev, h + "-", seq))
    prev = h
db.execute("UPDATE actions SET hash = substr(hash, 1, 64)")
db.commit()
print(prev)
`;

/** Applies `sql` to the extracted bundle in `dir`, re-chains, rewrites the manifest and sums, and packs it to `out` (re-signed with `signKey` when given). */
export function forgeConsistentBundle(dir: string, sql: string, out: string, signKey?: string): void {
  for (const name of ['evidence.db', 'manifest.json', 'SHA256SUMS', 'manifest.sig']) if (existsSync(join(dir, name))) chmodSync(join(dir, name), 0o644);
  const head = execFileSync('python3', ['-c', RECHAIN, sql], { cwd: dir, encoding: 'utf8' }).trim();
  const db = readFileSync(join(dir, 'evidence.db'));
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { members: unknown[]; counts: Record<string, number>; custody: { actions: number; head_seq: number; head_hash: string } };
  manifest.members = [{ name: 'evidence.db', size: db.length, sha256: createHash('sha256').update(db).digest('hex') }];
  for (const table of Object.keys(manifest.counts)) manifest.counts[table] = Number(execFileSync('sqlite3', [join(dir, 'evidence.db'), `SELECT count(*) FROM ${table}`], { encoding: 'utf8' }).trim());
  manifest.custody.head_hash = head;
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
  const members = ['evidence.db', 'manifest.json'];
  rmSync(join(dir, 'manifest.sig'), { force: true });
  if (signKey !== undefined) {
    execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', signKey, '-rawin', '-in', 'manifest.json', '-out', 'manifest.sig'], { cwd: dir });
    members.push('manifest.sig');
  }
  writeFileSync(join(dir, 'SHA256SUMS'), execFileSync('sha256sum', members, { cwd: dir, encoding: 'utf8' }));
  execFileSync('tar', ['--format=ustar', '-cf', out, ...members, 'SHA256SUMS'], { cwd: dir });
}
