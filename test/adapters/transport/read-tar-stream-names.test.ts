import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTarStream } from '../../../src/adapters/transport/read-tar-stream.js';
import type { CapturedEntry } from '../../../src/adapters/transport/tar-stream-types.js';
import { END, chunks, gnuTar, member, paxMember, tempTree } from './tar-fixtures.js';
import { rootFor } from '../../helpers/prerequisites.js';

function find(entries: CapturedEntry[], name: string): CapturedEntry {
  const entry = entries.find((e) => e.name === name);
  assert.ok(entry, `no entry named ${JSON.stringify(name)} among ${JSON.stringify(entries.map((e) => e.name))}`);
  return entry;
}

test('`../../x`, `/etc/passwd` and `C:..\\x` from GNU tar are kept as data with nameSafe=false and PATH_UNSAFE', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  for (const name of ['up', 'abs', 'C:..\\x', 'fine']) writeFileSync(join(dir, name), `${name}\n`);
  const tar = gnuTar(['-P', '-C', dir, '--transform', 's,^up$,../../x,', '--transform', 's,^abs$,/etc/passwd,', 'up', 'abs', 'C:..\\x', 'fine']);
  const before = readdirSync(dir).sort();
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped, null);
  for (const [name, content] of [['../../x', 'up\n'], ['/etc/passwd', 'abs\n'], ['C:..\\x', 'C:..\\x\n']] as const) {
    const entry = find(result.entries, name);
    assert.equal(entry.nameSafe, false, name);
    assert.equal(entry.nameProblem?.code, 'PATH_UNSAFE', name);
    assert.deepEqual(entry.content, Buffer.from(content), `${name} is kept as data`);
  }
  assert.equal(find(result.entries, 'fine').nameSafe, true);
  assert.deepEqual(readdirSync(dir).sort(), before, 'reading wrote nothing');
});

test('a NUL inside a PAX path and a control character in a name are kept byte-exact and flagged unsafe', async () => {
  const nul = Buffer.from('proc/1/a\0../../etc/passwd');
  const tar = Buffer.concat([paxMember([['path', nul]]), member({ name: 'placeholder' }, Buffer.from('n')), member({ name: 'proc/1/\x1b[2Jcomm' }, Buffer.from('c')), END]);
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped, null);
  const [withNul, withEsc] = result.entries;
  assert.deepEqual(withNul?.nameBytes, nul);
  assert.equal(withNul?.nameSafe, false);
  assert.match(withNul?.nameProblem?.reason ?? '', /NUL/);
  assert.equal(withEsc?.name, 'proc/1/\x1b[2Jcomm');
  assert.match(withEsc?.nameProblem?.reason ?? '', /control/);
});

test('a name that is not UTF-8 keeps its exact bytes in nameBytes and is flagged NAME_NOT_UTF8', async () => {
  const raw = Buffer.from([0x70, 0x2f, 0xff, 0xfe, 0x41]);
  const result = await readTarStream(chunks(Buffer.concat([member({ name: raw }, Buffer.from('z')), END])));
  assert.equal(result.stopped, null);
  assert.deepEqual(result.entries[0]?.nameBytes, raw);
  assert.equal(result.entries[0]?.nameProblem?.code, 'NAME_NOT_UTF8');
});

test('symlink `x -> /` then `x/etc/cron.d/y`: the link is metadata only and the file behind it is data flagged PATH_UNSAFE', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  symlinkSync('/', join(dir, 'x'));
  writeFileSync(join(dir, 'y'), '* * * * * root sh -c evil\n');
  const tar = gnuTar(['-C', dir, '--transform', 's,^y$,x/etc/cron.d/y,', 'x', 'y']);
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped, null);
  const link = find(result.entries, 'x');
  assert.equal(link.type, 'symlink');
  assert.equal(link.linkname, '/');
  assert.equal(link.content, null);
  const behind = find(result.entries, 'x/etc/cron.d/y');
  assert.equal(behind.type, 'file');
  assert.equal(behind.nameSafe, false);
  assert.match(behind.nameProblem?.reason ?? '', /symlink of entry 0/);
  assert.deepEqual(behind.content, Buffer.from('* * * * * root sh -c evil\n'));
  assert.deepEqual(readdirSync(dir).sort(), ['x', 'y'], 'nothing was written');
});

test('a hardlink to /etc/shadow, a character device and a FIFO from GNU tar are metadata only, with no content', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  writeFileSync(join(dir, 'f'), 'secret-looking\n');
  linkSync(join(dir, 'f'), join(dir, 'g'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const canMknod = rootFor(t, 'mknod of a character device');
  if (canMknod) execFileSync('mknod', [join(dir, 'null'), 'c', '1', '3']);
  const members = ['f', 'g', 'fifo', ...(canMknod ? ['null'] : [])];
  const tar = gnuTar(['-P', '-C', dir, '--transform', 's,^f$,/etc/shadow,', ...members]);
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped, null);
  const hard = find(result.entries, 'g');
  assert.equal(hard.type, 'hardlink');
  assert.equal(hard.linkname, '/etc/shadow');
  assert.equal(hard.content, null);
  assert.equal(hard.receivedBytes, 0);
  const fifo = find(result.entries, 'fifo');
  assert.deepEqual([fifo.type, fifo.typeflag, fifo.content], ['other', '6', null]);
  if (canMknod) {
    const device = find(result.entries, 'null');
    assert.deepEqual([device.type, device.typeflag, device.content], ['other', '3', null]);
  }
});

test('NFC and NFD spellings of one name, and a case-only variant, are kept as separate entries and the later ones flagged', async (t) => {
  const { dir, cleanup } = tempTree();
  t.after(cleanup);
  mkdirSync(join(dir, 'p'));
  const nfc = 'p/caf\u00e9';
  const nfd = 'p/cafe\u0301';
  writeFileSync(join(dir, nfc), 'one\n');
  writeFileSync(join(dir, nfd), 'two\n');
  writeFileSync(join(dir, 'p/CAF\u00c9'), 'three\n');
  const tar = gnuTar(['--format=pax', '--sort=name', '-C', dir, 'p']);
  const result = await readTarStream(chunks(tar));
  assert.equal(result.stopped, null);
  const files = result.entries.filter((e) => e.type === 'file');
  assert.equal(files.length, 3);
  assert.deepEqual(new Set(files.map((e) => e.content?.toString())), new Set(['one\n', 'two\n', 'three\n']));
  const [first, ...later] = files;
  assert.equal(first?.duplicateOf, null);
  for (const entry of later) {
    assert.equal(entry.duplicateOf, first?.index);
    assert.equal(entry.nameProblem?.code, 'NAME_DUPLICATE');
    assert.equal(entry.nameSafe, false);
  }
});
