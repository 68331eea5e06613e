/**
 * Runs a capture: reads the target through a vantage, then stores each step in its own transaction
 * in the order of volatility. A failure in one step is recorded and the capture ends `partial`,
 * naming the steps that did not finish; every finished step stays intact. A capture that stored no
 * process ends `failed`, even when the API-side steps (objects, logs) were kept.
 */
import { randomBytes } from 'node:crypto';
import { buildCapture, type BuiltStep, type RawArtifact } from '../core/capture/build-capture.js';
import type { RawCapture } from '../core/capture/raw-capture.js';
import type { Fingerprint } from '../core/capture/redact-argv.js';
import type { EnvRedactor } from '../core/capture/build-process-rows.js';
import { messageOf } from '../core/errors.js';
import type { ArtifactInput } from '../adapters/store/case-store.js';
import { beginCapture, commitCaptureStep, finishCapture, type StepRows, type StepStamp } from '../adapters/store/capture-store.js';
import type { WritableDb } from '../adapters/store/open-store.js';

/** What the capture stored, for the command's output. */
export interface CaptureSummary {
  captureId: string;
  target: string;
  vantage: string;
  status: 'complete' | 'partial' | 'failed';
  counts: Record<string, number>;
  warnings: number;
  unfinished: string[];
  notes: string[];
}

/** Everything a capture run needs from outside: the case, the reader, the fingerprint and the clock. */
export interface CaptureContext {
  db: WritableDb;
  actor: string;
  now: () => string;
  fingerprint: Fingerprint;
  /** Environments are stored only through this redactor, and not at all without it. */
  redactEnv?: EnvRedactor;
  /** Extra steps after the /proc ones (credentials, Kubernetes objects, logs), in order. */
  extraSteps?: ReadonlyArray<{ name: string; run: (raw: RawCapture) => Promise<{ rows: StepRows; warnings: BuiltStep<unknown>['warnings']; artifacts?: ArtifactInput[] }> }>;
}

/** Reads with `read`, then stores connections, processes, mounts and any extra steps. */
export async function runCapture(read: () => Promise<RawCapture>, scope: { target: string; vantage: string; detail: Record<string, string | number | boolean> }, ctx: CaptureContext): Promise<CaptureSummary> {
  const captureId = `cap-${ctx.now().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const stamp = (): StepStamp => ({ at: ctx.now(), actor: ctx.actor });
  beginCapture(ctx.db, { captureId, target: scope.target, vantage: scope.vantage, detail: scope.detail }, stamp());
  const counts: Record<string, number> = {};
  let warnings = 0;
  const steps = ['read', 'connections', 'processes', 'mounts', ...(ctx.extraSteps ?? []).map((s) => s.name)];
  const done: string[] = [];
  const notes: string[] = [];
  try {
    let raw: RawCapture;
    try {
      raw = await read();
      done.push('read');
    } catch (error) {
      // Nothing was read from the target; the API-side steps (objects, logs) are still worth storing.
      notes.push(`read failed: ${messageOf(error)}`);
      raw = { vantage: 'local', target: scope.target, processes: [], netNamespaces: [], notes: [] };
    }
    notes.push(...raw.notes);
    const readOk = done.includes('read');
    const built = buildCapture(raw, ctx.fingerprint, ctx.redactEnv);
    const store = (step: string, rows: StepRows, result: { warnings: BuiltStep<unknown>['warnings']; artifacts?: ArtifactInput[] }) => {
      commitCaptureStep(ctx.db, { captureId, target: scope.target, step, rows, warnings: result.warnings, artifacts: result.artifacts }, stamp());
      for (const [table, list] of Object.entries(rows)) counts[table] = (counts[table] ?? 0) + (list as unknown[]).length;
      warnings += result.warnings.length;
      done.push(step);
    };
    const withArtifacts = <Row>(step: BuiltStep<Row>) => ({ warnings: step.warnings, artifacts: step.artifacts.map((a) => toArtifact(a, raw.vantage, captureId, ctx.now())) });
    if (readOk) {
      store('connections', { connections: built.connections.rows }, withArtifacts(built.connections));
      store('processes', { processes: built.processes.rows }, withArtifacts(built.processes));
      store('mounts', { mounts: built.mounts.rows }, withArtifacts(built.mounts));
    }
    for (const extra of ctx.extraSteps ?? []) {
      const result = await extra.run(raw);
      store(extra.name, result.rows, result);
    }
  } catch (error) {
    notes.push(`step ${steps.find((s) => !done.includes(s)) ?? '?'} failed: ${messageOf(error)}`);
  }
  const unfinished = steps.filter((s) => !done.includes(s));
  // A capture is of processes: without one stored, the target was missing or unreadable, whatever else was kept.
  const storedNoProcess = (counts.processes ?? 0) === 0;
  if (storedNoProcess) notes.push('no process was stored: the target does not exist, has exited, or could not be read');
  const status = storedNoProcess ? 'failed' : unfinished.length === 0 ? 'complete' : 'partial';
  finishCapture(ctx.db, { captureId, target: scope.target, status, unfinished, notes }, stamp());
  return { captureId, target: scope.target, vantage: scope.vantage, status, counts, warnings, unfinished, notes };
}

function toArtifact(artifact: RawArtifact, vantage: string, captureId: string, at: string): ArtifactInput {
  return { sha256: artifact.sha256, size: artifact.bytes.length, mediaType: 'text/plain', source: artifact.source, vantage, collectedAt: at, captureId, truncated: artifact.truncated, content: artifact.bytes };
}
