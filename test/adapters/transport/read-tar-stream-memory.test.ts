import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readTarStream } from '../../../src/adapters/transport/read-tar-stream.js';
import { END, header, member, paxBody } from './tar-fixtures.js';

const MiB = 1024 * 1024;

/** Tracks the highest RSS seen, sampled by the source each time it yields. */
function rssProbe() {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  return { sample: () => { peak = Math.max(peak, process.memoryUsage.rss()); }, growth: () => (peak - baseline) / MiB };
}

test('a 96 MiB member with maxEntryBytes 1 MiB keeps RSS growth small while hashing every byte', async () => {
  const size = 96 * MiB;
  const chunk = Buffer.alloc(256 * 1024);
  for (let i = 0; i < chunk.length; i += 1) chunk[i] = (i * 31) & 0xff;
  const expected = createHash('sha256');
  for (let sent = 0; sent < size; sent += chunk.length) expected.update(chunk);
  const probe = rssProbe();
  async function* stream() {
    yield header({ name: 'proc/1/exe', size });
    // The same buffer every time: nothing new is allocated by the source.
    for (let sent = 0; sent < size; sent += chunk.length) {
      probe.sample();
      yield chunk;
    }
    yield END;
  }
  const result = await readTarStream(stream(), { maxTotalBytes: 128 * MiB, maxEntryBytes: MiB });
  probe.sample();
  assert.equal(result.stopped, null);
  const [entry] = result.entries;
  assert.equal(entry?.content?.length, MiB);
  assert.equal(entry?.receivedBytes, size);
  assert.equal(entry?.sha256, expected.digest('hex'));
  assert.ok(probe.growth() < 40, `RSS grew by ${probe.growth().toFixed(1)} MiB`);
});

test('a stream of PAX headers each claiming just under tar-stream\'s own 4 MiB cap is refused at the first, with little read and little RSS growth', async () => {
  const record = paxBody([['path', 'A'.repeat(4 * MiB - 600)]]);
  let yielded = 0;
  const probe = rssProbe();
  async function* stream() {
    for (let i = 0; i < 50; i += 1) {
      probe.sample();
      yielded += 1;
      yield Buffer.concat([header({ name: 'PaxHeaders/x', typeflag: 'x', size: record.length }), record, Buffer.alloc((512 - (record.length % 512)) % 512)]);
    }
  }
  const result = await readTarStream(stream(), { maxTotalBytes: 512 * MiB });
  probe.sample();
  assert.equal(result.stopped?.code, 'TAR_HEADER_LIMIT');
  assert.equal(yielded, 1);
  assert.ok(probe.growth() < 32, `RSS grew by ${probe.growth().toFixed(1)} MiB`);
});

test('a source that reuses and overwrites its chunk buffer does not change the content already kept', async () => {
  const shared = Buffer.alloc(512);
  async function* stream() {
    for (const [name, fill] of [['a', 0x61], ['b', 0x62], ['c', 0x63]] as const) {
      header({ name, size: 512 }).copy(shared);
      yield shared;
      shared.fill(fill);
      yield shared;
    }
    yield END;
  }
  const result = await readTarStream(stream());
  assert.equal(result.stopped, null);
  assert.deepEqual(result.entries.map((e) => e.content?.toString('latin1')), ['a', 'b', 'c'].map((c) => c.repeat(512)));
});

test('10,000 small entries are each hashed and kept without exhausting the entry or byte limits', async () => {
  async function* many() {
    for (let i = 0; i < 10_000; i += 1) yield member({ name: `proc/${i}/comm` }, Buffer.from(`p${i}\n`));
    yield END;
  }
  const result = await readTarStream(many());
  assert.equal(result.stopped, null);
  assert.equal(result.entries.length, 10_000);
  assert.equal(result.entries[9999]?.content?.toString(), 'p9999\n');
  assert.equal(result.entries[42]?.sha256, createHash('sha256').update('p42\n').digest('hex'));
});
