/**
 * The worker thread that reads and parses audit logs while the main thread stores what it gave: for
 * each file it is sent (already opened by the main thread, which also closes it), in order, it posts
 * the raw bytes as read (for the main thread to hash), each batch (waiting while several, or their
 * text, are not yet stored, so memory stays bounded), then the file's facts and tally. The next file
 * may be sent before the last batches of one are stored, so parsing runs on across files. The case
 * key stays in this process's memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fingerprintSecret } from '../../core/credentials/fingerprint.js';
import { auditBatches, emptyTally } from './audit-batches.js';
import type { ParserReply, ParserRequest, ParserWorkerData } from './audit-parse-protocol.js';
import type { FileFacts } from './read-audit-file.js';
import { RawBytesLender } from './raw-bytes-lender.js';

// Batches posted but not yet stored: several let parsing run on through a slow commit, fsync or
// checkpoint. A batch is typically 2.5 M characters of row text and at most 16 M (hostile rows), so the
// characters waiting are bounded too: past 24 M, only one batch (and the parts of the next) may wait.
const MAX_IN_FLIGHT = 6;
const MAX_IN_FLIGHT_CHARS = 24 * 1024 * 1024;
const port = parentPort;
if (port === null) throw new Error('audit-parse-worker runs as a worker thread only');
const { caseKey, maxTotalBytes } = workerData as ParserWorkerData;
// Decompressed bytes the files still to come may give (the files are read one after another, here).
let bytesLeft = maxTotalBytes;
const fingerprint = (value: string) => fingerprintSecret(caseKey, value);
const post = (reply: ParserReply) => port.postMessage(reply);
const lender = new RawBytesLender((reply, transfer) => port.postMessage(reply, transfer));

// Row-text characters of each batch posted and not yet acknowledged, oldest first (acks come in order).
const inFlight: number[] = [];
let inFlightChars = 0;
let acknowledged: (() => void) | null = null;
const queue: ParserRequest[] = [];
let running = false;

port.on('message', (request: ParserRequest) => {
  if (request.type === 'ack') {
    inFlightChars -= inFlight.shift() ?? 0;
    acknowledged?.();
    acknowledged = null;
    return;
  }
  if (request.type === 'raw-back') {
    lender.returned(request.buffer);
    return;
  }
  queue.push(request);
  if (!running) void drain();
});

async function drain(): Promise<void> {
  running = true;
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (next.type === 'file') await parseFile(next);
  }
  running = false;
}

async function parseFile(request: Extract<ParserRequest, { type: 'file' }>): Promise<void> {
  const facts: FileFacts = { size: 0, sha256: '', gzip: false, bytes: 0, cut: null, lines: 0, blankLines: 0 };
  const tally = emptyTally();
  const limits = { ...request.limits, maxBytes: bytesLeft };
  // Characters of the batch being sent (its parts so far): it counts against the bound from its first part.
  let openChars = 0;
  for await (const part of auditBatches(request.opened, request.file, limits, fingerprint, facts, tally, lender.forFile(request.fileNumber))) {
    const chars = part.kind === 'rows' ? part.textChars : part.batch.textChars;
    while (inFlight.length >= MAX_IN_FLIGHT || (inFlight.length > 0 && inFlightChars + openChars + chars > MAX_IN_FLIGHT_CHARS)) await new Promise<void>((resolve) => { acknowledged = resolve; });
    openChars += chars;
    if (part.kind === 'rows') {
      post({ type: 'rows', rows: part.rows });
      continue;
    }
    inFlight.push(openChars);
    inFlightChars += openChars;
    openChars = 0;
    post({ type: 'batch', batch: part.batch });
  }
  bytesLeft -= facts.bytes;
  post({ type: 'end', fileNumber: request.fileNumber, facts, tally });
}
