import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { readTarStream } from '../../../src/adapters/transport/read-tar-stream.js';
import { header, member, sleep } from './tar-fixtures.js';

const NEVER = new Promise<never>(() => undefined);

test('an endless generator of valid entries stops with STREAM_BYTE_LIMIT at exactly maxTotalBytes, entries before it kept', async () => {
  let ended = false;
  async function* endless() {
    try {
      for (let i = 0; ; i += 1) yield member({ name: `proc/${i}/status` }, Buffer.alloc(512, 0x20));
    } finally {
      ended = true;
    }
  }
  const result = await readTarStream(endless(), { maxTotalBytes: 1024 * 1024 });
  assert.equal(result.stopped?.code, 'STREAM_BYTE_LIMIT');
  assert.equal(result.stopped.atByte, 1024 * 1024);
  assert.equal(result.bytesRead, 1024 * 1024);
  assert.equal(result.entries.length, 1024);
  assert.ok(result.entries.every((e) => e.complete));
  assert.equal(ended, true, 'the generator was told to return');
});

test('a member whose declared size would cross maxTotalBytes stops with STREAM_BYTE_LIMIT at its header, without reading its data', async () => {
  let sent = 0;
  async function* stream() {
    yield member({ name: 'proc/1/stat' }, Buffer.alloc(200 * 1024, 0x31));
    yield header({ name: 'proc/1/exe', size: 900 * 1024 });
    for (;;) {
      sent += 65536;
      yield Buffer.alloc(65536, 0x7f);
    }
  }
  const result = await readTarStream(stream(), { maxTotalBytes: 1024 * 1024 });
  assert.equal(result.stopped?.code, 'STREAM_BYTE_LIMIT');
  assert.equal(result.stopped.atByte, 200 * 1024 + 512);
  assert.equal(sent, 0);
  assert.deepEqual(result.entries.map((e) => e.name), ['proc/1/stat']);
});

test('endless zeros after an end marker still stop with STREAM_BYTE_LIMIT', async () => {
  async function* zeros() {
    const block = Buffer.alloc(65536);
    for (;;) yield block;
  }
  const result = await readTarStream(zeros(), { maxTotalBytes: 4 * 1024 * 1024 });
  assert.equal(result.stopped?.code, 'STREAM_BYTE_LIMIT');
  assert.equal(result.bytesRead, 4 * 1024 * 1024);
});

test('a stream that sends one byte and then stalls stops with STREAM_IDLE, not before idleTimeMs', async (t) => {
  async function* stall() {
    yield Buffer.from([0x70]);
    await NEVER;
  }
  const started = performance.now();
  const result = await readTarStream(stall(), { idleTimeMs: 400 });
  const elapsed = performance.now() - started;
  assert.equal(result.stopped?.code, 'STREAM_IDLE');
  assert.equal(result.stopped.atByte, 1);
  // Never early; how late depends on the machine's load, so it is reported, not asserted.
  assert.ok(elapsed >= 395, `stopped after ${elapsed} ms`);
  t.diagnostic(`stopped after ${elapsed.toFixed(0)} ms (idle limit 400 ms)`);
});

test('a stream of empty chunks does not keep the read alive: it stops with STREAM_IDLE', async () => {
  async function* empties() {
    for (;;) {
      yield Buffer.alloc(0);
      await sleep(10);
    }
  }
  const result = await readTarStream(empties(), { idleTimeMs: 300 });
  assert.equal(result.stopped?.code, 'STREAM_IDLE');
});

test('a Node stream that stalls is destroyed when it goes idle', async () => {
  const source = new PassThrough();
  source.write(header({ name: 'proc/1/environ', size: 4096 }));
  source.write(Buffer.alloc(100, 0x41));
  const result = await readTarStream(source, { idleTimeMs: 300 });
  assert.equal(result.stopped?.code, 'STREAM_IDLE');
  assert.equal(source.destroyed, true);
  assert.deepEqual(result.entries.map((e) => [e.name, e.receivedBytes, e.complete]), [['proc/1/environ', 100, false]]);
});

test('a slow drip that never goes idle stops with STREAM_WALL_TIME, not before wallTimeMs', async (t) => {
  async function* drip() {
    const tar = Buffer.concat([header({ name: 'proc/1/cmdline', size: 100_000 }), Buffer.alloc(100_000, 0x61)]);
    for (const byte of tar) {
      yield Buffer.from([byte]);
      await sleep(20);
    }
  }
  const started = performance.now();
  const result = await readTarStream(drip(), { idleTimeMs: 300, wallTimeMs: 700, minBytesPerSecond: 0 });
  const elapsed = performance.now() - started;
  assert.equal(result.stopped?.code, 'STREAM_WALL_TIME');
  assert.ok(elapsed >= 695, `stopped after ${elapsed} ms`);
  t.diagnostic(`stopped after ${elapsed.toFixed(0)} ms (wall limit 700 ms)`);
  // At most one byte per 20 ms sleep fits in 700 ms; how many did arrive depends on the machine's load.
  assert.ok(result.bytesRead >= 1 && result.bytesRead <= 36, `read ${result.bytesRead} bytes`);
});

test('a drip slower than minBytesPerSecond over a throughput window stops with STREAM_TOO_SLOW, not before the window', async (t) => {
  async function* drip() {
    for (;;) {
      yield Buffer.from([0]);
      await sleep(20);
    }
  }
  const started = performance.now();
  const result = await readTarStream(drip(), { idleTimeMs: 300, throughputWindowMs: 400, minBytesPerSecond: 1000 });
  const elapsed = performance.now() - started;
  assert.equal(result.stopped?.code, 'STREAM_TOO_SLOW');
  assert.ok(elapsed >= 395, `stopped after ${elapsed} ms`);
  t.diagnostic(`stopped after ${elapsed.toFixed(0)} ms (window 400 ms)`);
});

test('a fast stream with brief pauses is not cut by the idle or throughput checks', async () => {
  async function* bursty() {
    for (let i = 0; i < 6; i += 1) {
      yield member({ name: `proc/${i}/stat` }, Buffer.alloc(3000, 0x31));
      await sleep(100);
    }
    yield Buffer.alloc(1024);
  }
  // Margins a loaded machine cannot eat: 100 ms pauses against a 3 s idle limit, 30 KB/s against 1 KB/s.
  const result = await readTarStream(bursty(), { idleTimeMs: 3000, throughputWindowMs: 2000, minBytesPerSecond: 1000 });
  assert.equal(result.stopped, null);
  assert.equal(result.entries.length, 6);
});

test('an abort signal stops a stalled read with ABORTED', async () => {
  async function* stall() {
    yield member({ name: 'proc/1/stat' }, Buffer.from('1 (a) S\n'));
    await NEVER;
  }
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  // Without the abort the read would end at the 60 s idle limit as STREAM_IDLE, after the test's timeout.
  const result = await readTarStream(stall(), { idleTimeMs: 60_000 }, controller.signal);
  assert.equal(result.stopped?.code, 'ABORTED');
  assert.equal(result.entries.length, 1);
});

test('a Node stream with an encoding set (yielding text, not bytes) stops with STREAM_ERROR and is destroyed', async () => {
  const source = new PassThrough();
  source.setEncoding('utf8');
  source.end('ustar? no: text');
  const result = await readTarStream(source);
  assert.equal(result.stopped?.code, 'STREAM_ERROR');
  assert.match(result.stopped.message, /string instead of bytes/);
  assert.equal(source.destroyed, true);
});

test('a source that fails mid-stream stops with STREAM_ERROR and keeps the entries read before the failure', async () => {
  async function* failing() {
    yield member({ name: 'proc/1/stat' }, Buffer.from('1 (a) S\n'));
    throw new Error('connection reset by peer');
  }
  const result = await readTarStream(failing());
  assert.equal(result.stopped?.code, 'STREAM_ERROR');
  assert.match(result.stopped.message, /connection reset/);
  assert.equal(result.entries.length, 1);
});

test('limits that are not positive integers are refused with a TypeError naming the limit', async () => {
  await assert.rejects(readTarStream((async function* () {})(), { idleTimeMs: Number.NaN }), /idleTimeMs must be a positive integer, got NaN/);
  await assert.rejects(readTarStream((async function* () {})(), { maxEntries: 0 }), /maxEntries/);
});
