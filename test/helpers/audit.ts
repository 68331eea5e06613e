/**
 * Reads the lab apiserver's audit log (test/lab/config/audit-policy.yaml: the responder's requests at
 * Request level, bodies included) for one window of a test, so a test can assert what kustody sent.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { kubectl, type LabEnv } from './lab.js';

/** The lab's responder user, as its client certificate names it (test/lab/lib/pki.sh). */
export const RESPONDER_USER = 'kustody-responder';

/** The fields of an audit.k8s.io/v1 Event these tests read. */
export interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  requestObject?: unknown;
  responseStatus?: { code?: number };
}

/** An open window on the audit log: everything the apiserver logs from now on. */
export interface AuditWindow {
  /** Waits until the log holds every request made before this call, then returns the responder's events of the window. */
  close(): Promise<AuditEvent[]>;
}

const FLUSH_TIMEOUT_MS = 30_000;

/**
 * Opens a window at the audit log's current end. The file descriptor stays open, so when the apiserver
 * rotates the log (--audit-log-maxsize) the rest of the old file is still read, then the new file.
 */
export function openAuditWindow(lab: LabEnv): AuditWindow {
  const fd = openSync(lab.auditLog, 'r');
  const start = fstatSync(fd);
  return {
    async close() {
      try {
        const marker = `kustody-audit-marker-${randomBytes(6).toString('hex')}`;
        // A request that cannot succeed (no such pod) but is audited like any other: once its event is in
        // the log, so are the events of every request that finished before it was sent.
        await kubectl(lab, 'responder', ['get', 'pod', marker, '-n', 'default', '--ignore-not-found']);
        const deadline = Date.now() + FLUSH_TIMEOUT_MS;
        for (;;) {
          const events = readWindow(lab.auditLog, fd, start.size, start.ino);
          if (events.some((e) => e.user.username === RESPONDER_USER && e.requestURI.includes(marker))) {
            return events.filter((e) => e.user.username === RESPONDER_USER && !e.requestURI.includes(marker));
          }
          if (Date.now() > deadline) throw new Error(`the audit log ${lab.auditLog} did not record the marker request ${marker} within ${FLUSH_TIMEOUT_MS / 1000}s: is the lab apiserver auditing (test/lab/config/audit-policy.yaml)?`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** The ResponseComplete/Panic events appended since `offset`: the rest of the opened file, then a rotated-in new file. */
function readWindow(path: string, fd: number, offset: number, ino: number): AuditEvent[] {
  const text = readFrom(fd, offset) + (currentIno(path) !== ino ? readWholeFile(path) : '');
  const events: AuditEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let parsed: AuditEvent;
    try {
      parsed = JSON.parse(line) as AuditEvent;
    } catch {
      continue; // a line still being written: the next poll reads it whole
    }
    if (parsed.stage === 'ResponseComplete' || parsed.stage === 'Panic') events.push(parsed);
  }
  return events;
}

function readFrom(fd: number, offset: number): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(1 << 20);
  for (let position = offset; ;) {
    const n = readSync(fd, buffer, 0, buffer.length, position);
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
    position += n;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function currentIno(path: string): number {
  try {
    return statSync(path).ino;
  } catch {
    return -1;
  }
}

function readWholeFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    return readFrom(fd, 0);
  } finally {
    closeSync(fd);
  }
}

/** The lab's audit log and the files the API server rotated it into since `sinceMs` (a test's events may be in either). */
export function labAuditFiles(lab: LabEnv, sinceMs: number): string[] {
  const dir = dirname(lab.auditLog);
  const stem = basename(lab.auditLog, '.log');
  const rotated = readdirSync(dir).filter((f) => f.startsWith(`${stem}-`) && f.endsWith('.log')).map((f) => join(dir, f)).filter((f) => statSync(f).mtimeMs >= sinceMs);
  return [...rotated.sort(), lab.auditLog];
}

/**
 * The lab audit log's lines about namespace `ns` (objectRef namespace) since `sinceMs`, once they hold the
 * completed create of each `resource/name` (waits, bounded): a small log of one test's namespace to ingest.
 */
export async function namespaceAuditLines(lab: LabEnv, sinceMs: number, ns: string, creates: readonly string[]): Promise<string[]> {
  const needle = `"namespace":"${ns}"`;
  const deadline = Date.now() + FLUSH_TIMEOUT_MS;
  for (;;) {
    const found = await execa('grep', ['-h', '-F', needle, ...labAuditFiles(lab, sinceMs)], { reject: false });
    const lines = found.stdout.split('\n').filter((line) => line.startsWith('{'));
    const pending = new Set(creates);
    for (const line of lines) {
      try {
        const e = JSON.parse(line) as AuditEvent;
        if (e.stage === 'ResponseComplete' && e.verb === 'create') pending.delete(`${e.objectRef?.resource}/${e.objectRef?.name}`);
      } catch {
        continue; // a line still being written
      }
    }
    if (pending.size === 0) return lines.filter((line) => line.endsWith('}'));
    if (Date.now() > deadline) throw new Error(`the lab's audit log never showed ${[...pending].join(', ')} in ${ns}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The lab audit log from now on, as raw lines (one rotation followed): to hand a test's window of the real log to kustody and to a judge. */
export function openAuditTail(lab: LabEnv): { lines(): string[]; close(): void } {
  const fd = openSync(lab.auditLog, 'r');
  const start = fstatSync(fd);
  return {
    lines() {
      const text = readFrom(fd, start.size) + (currentIno(lab.auditLog) !== start.ino ? readWholeFile(lab.auditLog) : '');
      const lines = text.split('\n');
      lines.pop(); // the part after the last newline: a line still being written
      return lines.filter((line) => line.startsWith('{'));
    },
    close() {
      closeSync(fd);
    },
  };
}
