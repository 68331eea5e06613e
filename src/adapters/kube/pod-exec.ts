/**
 * Runs one argv command in a container through the exec API: no stdin, no TTY, a deadline, and caps
 * on what stdout and stderr may send. The container is hostile: it decides what it prints, how fast,
 * and whether it ever ends, so every path out of here is bounded.
 */
import { Exec, type V1Status } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import type { KubeClients } from './kube-client.js';
import { toKubeError } from './to-kube-error.js';

/** What to run, where, and the limits it runs under. */
export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  argv: readonly string[];
  timeoutMs: number;
  maxStdoutBytes: number;
  maxStderrBytes: number;
}

/** How the command ended and what it printed (cut at the caps). */
export interface ExecResult {
  exitCode: number | null;
  status: 'exited' | 'timed-out' | 'output-limit' | 'no-status';
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** The Status reason when the command could not start (e.g. the binary is missing). */
  failure: string | null;
}

/** Runs the command and always resolves within the deadline (plus a short grace). */
export async function execInContainer(kube: KubeClients, request: ExecRequest): Promise<ExecResult> {
  const stdout = new CappedSink(request.maxStdoutBytes);
  const stderr = new CappedSink(request.maxStderrBytes);
  let status: V1Status | undefined;
  let socket: { close: () => void; on: (event: string, listener: () => void) => void } | undefined;
  const closed = new Promise<void>((resolve) => {
    const exec = new Exec(kube.config);
    exec.exec(request.namespace, request.pod, request.container, [...request.argv], stdout, stderr, null, false, (s) => {
      status = s;
    }).then((ws) => {
      socket = ws as unknown as typeof socket;
      ws.on('close', () => resolve());
      ws.on('error', () => resolve());
    }, (error: unknown) => {
      stderr.note(error);
      resolve();
    });
  });
  let outcome: ExecResult['status'] = 'exited';
  const timer = new Promise<void>((resolve) => setTimeout(() => {
    outcome = 'timed-out';
    resolve();
  }, request.timeoutMs).unref());
  const overflow = new Promise<void>((resolve) => {
    stdout.onOverflow = () => {
      outcome = 'output-limit';
      resolve();
    };
  });
  await Promise.race([closed, timer, overflow]);
  socket?.close();
  if (stderr.startError !== null) throw toKubeError(stderr.startError, `exec in ${request.namespace}/${request.pod} (${request.container})`);
  const { exitCode, failure } = exitOf(status);
  return {
    exitCode: outcome === 'exited' ? exitCode : null,
    status: outcome === 'exited' && status === undefined ? 'no-status' : outcome,
    stdout: stdout.bytes(),
    stderr: stderr.bytes(),
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    failure,
  };
}

function exitOf(status: V1Status | undefined): { exitCode: number | null; failure: string | null } {
  if (status === undefined) return { exitCode: null, failure: null };
  if (status.status === 'Success') return { exitCode: 0, failure: null };
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (cause?.message !== undefined && /^\d{1,3}$/.test(cause.message)) return { exitCode: Number(cause.message), failure: null };
  return { exitCode: null, failure: (status.message ?? status.reason ?? 'the command did not start').slice(0, 1000) };
}

/** A writable that keeps at most `cap` bytes and reports when more arrive. */
class CappedSink extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  startError: unknown = null;
  onOverflow: (() => void) | null = null;

  constructor(private readonly cap: number) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const room = this.cap - this.size;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(Buffer.from(chunk.subarray(0, room)));
      this.size = this.cap;
      if (!this.truncated) {
        this.truncated = true;
        this.onOverflow?.();
      }
    } else {
      this.chunks.push(Buffer.from(chunk));
      this.size += chunk.length;
    }
    callback();
  }

  note(error: unknown): void {
    this.startError = error;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
