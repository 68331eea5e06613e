import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTarStream } from '../../../src/adapters/transport/read-tar-stream.js';
import { END, chunks, fixChecksum, gnuTar, header, member, paxBody, paxMember, tempTree } from './tar-fixtures.js';

const GOOD = member({ name: 'proc/1/stat' }, Buffer.from('1 (init) S 0\n'));

function base256(first: number, last: number[]): Buffer {
  const field = Buffer.alloc(12);
  field[0] = first;
  Buffer.from(last).copy(field, 12 - last.length);
  return field;
}

const hostileSizes: [string, Buffer, RegExp][] = [
  ['an 8 GiB size in a PAX record', Buffer.concat([paxMember([['size', '8589934592']]), header({ name: 'big' })]), /8589934592 bytes/],
  ['size -1 in octal', header({ name: 'neg', sizeField: Buffer.from('-0000000001\0') }), /not a plain octal/],
  ['a non-numeric (NaN) size', header({ name: 'nan', sizeField: Buffer.from('zzzzzzzzzzz\0') }), /not a plain octal/],
  ['size `12x`, which tar-stream would read as 10', header({ name: 'lenient', sizeField: Buffer.from('0000000012x\0') }), /not a plain octal/],
  ['a PAX size of -1', Buffer.concat([paxMember([['size', '-1']]), header({ name: 'neg' })]), /not a plain decimal/],
  ['a PAX size that is not a number', Buffer.concat([paxMember([['size', 'NaN']]), header({ name: 'nan' })]), /not a plain decimal/],
  ['a huge base-256 size', header({ name: 'huge', sizeField: base256(0x80, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) }), /base-256/],
  ['a negative base-256 size', header({ name: 'neg256', sizeField: base256(0xff, [0xff]) }), /negative/],
  ['a base-256 sign byte 0x81, which hangs tar-stream', header({ name: 'hang', sizeField: base256(0x81, [5]) }), /malformed sign byte/],
  ['a PAX size disagreeing with the header size', Buffer.concat([paxMember([['size', '100']]), header({ name: 'two', size: 5 })]), /size mismatch/],
  ['a directory claiming data (which hides a header from tar-stream and hangs it)', header({ name: 'd/', typeflag: '5', size: 1024 }), /size mismatch/],
  ['a type-0 member named `d/` claiming data', header({ name: 'd/', size: 512 }), /size mismatch/],
  ['a symlink claiming data', header({ name: 's', typeflag: '2', linkname: '/', size: 10 }), /size mismatch/],
  ['a file claiming more than a whole stream may carry', header({ name: 'big', size: 2 * 1024 * 1024 }), /more than the 1048576 a whole stream/],
];

for (const [what, hostile, reason] of hostileSizes) {
  test(`${what} stops the read with TAR_HEADER_LIMIT and keeps the entry before it`, async () => {
    // Plenty of (unread) data follows, so a missed check would show up as a different outcome.
    const tar = Buffer.concat([GOOD, hostile, Buffer.alloc(4096, 0x41), member({ name: 'hidden' }, Buffer.from('h')), END]);
    const result = await readTarStream(chunks(tar, 700), { maxTotalBytes: 1024 * 1024, idleTimeMs: 1000, wallTimeMs: 3000 });
    assert.equal(result.stopped?.code, 'TAR_HEADER_LIMIT', JSON.stringify(result.stopped));
    assert.match(result.stopped.message, reason);
    assert.equal(result.stopped.atByte, tar.indexOf(hostile) + hostile.length - 512);
    assert.deepEqual(result.entries.map((e) => [e.name, e.complete]), [['proc/1/stat', true]]);
  });
}

test('a PAX or GNU long-name record above maxHeaderBytes is refused from its header block, before its body is read', async () => {
  for (const typeflag of ['x', 'g', 'L', 'K']) {
    const claimed = 3 * 1024 * 1024;
    async function* stream() {
      yield Buffer.concat([GOOD, header({ name: 'long', typeflag, size: claimed })]);
      for (let sent = 0; sent < claimed; sent += 65536) yield Buffer.alloc(65536, 0x61);
    }
    const result = await readTarStream(stream(), { maxHeaderBytes: 64 * 1024 });
    assert.equal(result.stopped?.code, 'TAR_HEADER_LIMIT', typeflag);
    assert.match(result.stopped.message, new RegExp(`a ${typeflag} record of ${claimed} bytes`));
    assert.ok(result.bytesRead <= GOOD.length + 512 + 65536, `${typeflag}: read ${result.bytesRead} bytes`);
    assert.equal(result.entries.length, 1);
  }
});

test('an empty long-name record, which desynchronises tar-stream, is TAR_CORRUPT', async () => {
  const tar = Buffer.concat([GOOD, header({ name: 'empty', typeflag: 'x', size: 0 }), member({ name: 'f' }, Buffer.from('12345')), END]);
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped?.code, 'TAR_CORRUPT');
  assert.equal(result.entries.length, 1);
});

test('a malformed PAX record is TAR_CORRUPT and the entries before it are kept', async () => {
  const bad = Buffer.concat([paxBody([['path', 'ok']]), Buffer.from('99 path=overrun\n')]);
  const tar = Buffer.concat([GOOD, member({ name: 'pax', typeflag: 'x' }, bad), member({ name: 'f' }), END]);
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped?.code, 'TAR_CORRUPT');
  assert.match(result.stopped.message, /overruns/);
  assert.equal(result.entries.length, 1);
});

test('a lazily generated stream of 10^6 tiny entries stops with TAR_ENTRY_LIMIT after maxEntries, without reading the rest', async () => {
  let yielded = 0;
  async function* million() {
    const data = Buffer.alloc(512, 0x2e);
    for (let i = 0; i < 1_000_000; i += 1) {
      yielded += 1;
      yield Buffer.concat([header({ name: `proc/${i}/comm`, size: 512 }), data]);
    }
  }
  const result = await readTarStream(million(), { maxEntries: 2000, maxTotalBytes: 2 * 1024 * 1024 * 1024 });
  assert.equal(result.stopped?.code, 'TAR_ENTRY_LIMIT');
  assert.equal(result.stopped.atByte, 2000 * 1024);
  assert.equal(result.entries.length, 2000);
  assert.ok(result.entries.every((e) => e.complete && e.receivedBytes === 512));
  assert.ok(yielded <= 2001, `the generator was read ${yielded} times`);
});

test('a GNU tar cut inside a member is TAR_CORRUPT and keeps the earlier members and the partial one', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  writeFileSync(join(dir, 'a'), 'first\n');
  writeFileSync(join(dir, 'b'), 'b'.repeat(5000));
  const tar = gnuTar(['-C', dir, 'a', 'b']);
  const result = await readTarStream(chunks(tar.subarray(0, 1024 + 512 + 3000)));
  assert.equal(result.stopped?.code, 'TAR_CORRUPT');
  assert.match(result.stopped.message, /truncated/);
  assert.deepEqual(result.entries.map((e) => [e.name, e.complete, e.receivedBytes]), [['a', true, 6], ['b', false, 3000]]);
  assert.equal(result.entries[1]?.truncated, true);
});

test('a GNU tar cut between members, with no end-of-archive marker, is TAR_CORRUPT with every member kept', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  writeFileSync(join(dir, 'a'), 'first\n');
  const tar = gnuTar(['-C', dir, 'a']);
  const result = await readTarStream(chunks(tar.subarray(0, 1024)));
  assert.equal(result.stopped?.code, 'TAR_CORRUPT');
  assert.deepEqual(result.entries.map((e) => [e.name, e.complete]), [['a', true]]);
});

test('a bad checksum in the second header of a GNU tar is TAR_CORRUPT at that header, with the first member kept', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  writeFileSync(join(dir, 'a'), 'first\n');
  writeFileSync(join(dir, 'b'), 'second\n');
  const tar = gnuTar(['-C', dir, 'a', 'b']);
  tar.writeUInt8(tar.readUInt8(1024 + 3) ^ 0x01, 1024 + 3);
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped?.code, 'TAR_CORRUPT');
  assert.deepEqual([result.stopped.atByte, result.stopped.message.includes('checksum')], [1024, true]);
  assert.deepEqual(result.entries.map((e) => e.name), ['a']);
});

test('a header without ustar or GNU magic is TAR_CORRUPT', async () => {
  const tar = Buffer.concat([GOOD, header({ name: 'v7', format: 'v7' }), END]);
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped?.code, 'TAR_CORRUPT');
  assert.match(result.stopped.message, /neither ustar nor GNU/);
});

test('a member smuggled after the end-of-archive marker, which tar-stream would emit, is TAR_CORRUPT and not returned', async () => {
  const tar = Buffer.concat([GOOD, END, member({ name: 'smuggled' }, Buffer.from('s')), END]);
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped?.code, 'TAR_CORRUPT');
  assert.equal(result.stopped.atByte, GOOD.length + END.length);
  assert.deepEqual(result.entries.map((e) => e.name), ['proc/1/stat']);
});

test('zero padding after the end marker, as GNU tar writes to fill its 10 KiB record, is a clean end', async () => {
  const result = await readTarStream(chunks(Buffer.concat([GOOD, END, Buffer.alloc(8192)])));
  assert.equal(result.stopped, null);
  assert.equal(result.entries.length, 1);
});

test('a header whose checksum was recomputed after editing is accepted, proving the corrupt cases fail on purpose', async () => {
  const edited = header({ name: 'proc/2/stat', size: 2 });
  edited.write('proc/3/stat', 0, 'latin1');
  const result = await readTarStream(chunks(Buffer.concat([fixChecksum(edited), Buffer.from('ok'), Buffer.alloc(510), END])));
  assert.equal(result.stopped, null);
  assert.deepEqual(result.entries.map((e) => [e.name, e.content?.toString()]), [['proc/3/stat', 'ok']]);
});
