import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readTarStream } from '../../../src/adapters/transport/read-tar-stream.js';
import { END, chunks, fixChecksum, header, paxBody } from './tar-fixtures.js';

const RUNS = Number(process.env.KUSTODY_FC_RUNS ?? 1000);

/** Picks `rare` about one time in `odds`, and `usual` otherwise. */
function mostly<T, U>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<U>, odds = 5): fc.Arbitrary<T | U> {
  return fc.oneof({ weight: odds - 1, arbitrary: usual }, { weight: 1, arbitrary: rare });
}

/** One member with hostile but checksum-valid header fields, plausible often enough to reach later members. */
const hostileMember = fc.record({
  name: fc.uint8Array({ minLength: 0, maxLength: 100 }),
  typeflag: mostly(fc.constantFrom('0', '0', '\0', '2', '5'), fc.constantFrom('1', '3', '6', '7', 'x', 'g', 'L', 'K', 'N', 'S', 'D', 'V', 'Z', '\xff'), 3),
  sizeField: mostly(fc.constant(null), fc.oneof(
    fc.uint8Array({ minLength: 12, maxLength: 12 }),
    fc.tuple(fc.constantFrom(0x80, 0x81, 0xfe, 0xff), fc.nat({ max: 2000 })).map(([sign, n]) => Uint8Array.from([sign, 0, 0, 0, 0, 0, 0, 0, 0, 0, n >> 8, n & 0xff])),
  )),
  size: fc.nat({ max: 3000 }),
  // Usually exactly the declared size, so that later members are reached.
  data: mostly(fc.constant(null), fc.nat({ max: 3000 })),
  pax: mostly(fc.constant(null), fc.array(fc.tuple(fc.constantFrom('path', 'size', 'linkpath', 'mtime', 'x'), fc.oneof(fc.string({ maxLength: 12 }), fc.nat({ max: 3000 }).map(String))), { maxLength: 3 }), 3),
  format: mostly(fc.constantFrom('ustar', 'gnu'), fc.constant('v7')),
  prefix: mostly(fc.constant(null), fc.string({ maxLength: 20 })),
});

type HostileMember = typeof hostileMember extends fc.Arbitrary<infer T> ? T : never;

function build(members: HostileMember[], end: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const block = header({ name: Buffer.from(m.name), typeflag: m.typeflag, size: m.size, format: m.format, prefix: m.prefix ?? undefined, ...(m.sizeField === null ? {} : { sizeField: Buffer.from(m.sizeField) }) });
    if (m.pax !== null) {
      const body = paxBody(m.pax);
      parts.push(header({ name: 'pax', typeflag: 'x', size: body.length }), body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
    const data = m.data ?? m.size;
    parts.push(fixChecksum(block), Buffer.alloc(data, 0x41), Buffer.alloc((512 - (data % 512)) % 512));
  }
  if (end) parts.push(END);
  return Buffer.concat(parts);
}

test('any sequence of checksum-valid hostile headers is settled by the guard: no throw, no hang, tar-stream never has to refuse or disagree', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(hostileMember, { minLength: 1, maxLength: 6 }), mostly(fc.constant(true), fc.constant(false), 3), fc.oneof(fc.integer({ min: 1, max: 1500 }), fc.constant(1 << 20)), async (members, end, chunkSize) => {
      const tar = build(members, end);
      // The source never waits, so only a hang inside the reader could reach these limits: the guard,
      // not a clock, must settle every input (a timed assertion would fail on a busy machine).
      const result = await readTarStream(chunks(tar, chunkSize), { maxTotalBytes: 64 * 1024, maxHeaderBytes: 2048, idleTimeMs: 60_000, wallTimeMs: 120_000 });
      assert.ok(!['STREAM_IDLE', 'STREAM_TOO_SLOW', 'STREAM_WALL_TIME'].includes(result.stopped?.code ?? ''), `stopped by a clock: ${result.stopped?.code ?? ''}`);
      const message = result.stopped?.message ?? '';
      assert.doesNotMatch(message, /tar-stream (refused|did not)|disagree/, message);
      assert.ok(result.bytesRead <= tar.length);
      if (result.stopped === null) assert.ok(result.entries.every((e) => e.complete));
      for (const entry of result.entries) {
        assert.ok(entry.receivedBytes <= entry.declaredSize);
        if (entry.content !== null) assert.ok(entry.content.length <= entry.receivedBytes);
      }
    }),
    { numRuns: RUNS },
  );
});

test('random byte flips in a valid archive never make the reader throw or hang', async () => {
  const valid = build([
    { name: Buffer.from('proc/1/stat'), typeflag: '0', sizeField: null, size: 700, data: null, pax: [['path', 'proc/1/status']], format: 'ustar', prefix: null },
    { name: Buffer.from('proc/1/exe'), typeflag: '2', sizeField: null, size: 0, data: null, pax: null, format: 'gnu', prefix: null },
  ], true);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), async (flips) => {
      const tar = Buffer.from(valid);
      for (const [at, xor] of flips) tar.writeUInt8((tar.readUInt8(at) ^ xor) & 0xff, at);
      const result = await readTarStream(chunks(tar, 300), { idleTimeMs: 1000, wallTimeMs: 2000 });
      assert.doesNotMatch(result.stopped?.message ?? '', /disagree/);
    }),
    { numRuns: RUNS },
  );
});
