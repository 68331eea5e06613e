/**
 * Grows a case's custody log fast: appends notes straight into evidence.db with Python's sqlite3,
 * chained with the algorithm docs/evidence-schema.md publishes (so the case stays intact and every
 * kustody command accepts it), far faster than one `case note` per row.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const APPEND = `
import hashlib, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
count, size = int(sys.argv[2]), int(sys.argv[3])
def jcs(v):
    if isinstance(v, dict): return {k: jcs(v[k]) for k in sorted(v, key=lambda k: k.encode("utf-16-be"))}
    return v
dumps = lambda v: json.dumps(jcs(v), separators=(",", ":"), ensure_ascii=False)
seq, prev = db.execute("SELECT seq, hash FROM actions ORDER BY seq DESC LIMIT 1").fetchone()
filler = "".join(chr(0x61 + (i * 7) % 26) for i in range(size))
rows = []
for i in range(count):
    seq += 1
    detail = {"text": f"note {seq} " + filler[seq % 26:] + filler[:seq % 26]}
    row = dict(seq=seq, at="2026-12-01T00:00:00.000Z", actor="tester@host", kind="note", target="case", detail=detail, outcome="ok", prev_hash=prev)
    h = hashlib.sha256(("kustody-row-v1\\n" + dumps(row)).encode()).hexdigest()
    rows.append((seq, row["at"], row["actor"], row["kind"], row["target"], dumps(detail), row["outcome"], prev, h))
    prev = h
    if len(rows) == 500:
        db.executemany("INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows); rows = []
db.executemany("INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
`;

/** Appends `count` chained notes of about `size` characters each to the case at `casePath`. */
export function appendChainedNotes(casePath: string, count: number, size: number): void {
  execFileSync('python3', ['-c', APPEND, join(casePath, 'evidence.db'), String(count), String(size)], { stdio: 'inherit' });
}
