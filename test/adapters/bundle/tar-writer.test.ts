// kustody's tar writer produces exactly the ustar bytes tar-stream (its former writer) produced, so
// bundles keep their format, and GNU tar lists them; sizes at and around block boundaries included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tar from 'tar-stream';
import { TarWriter } from '../../../src/adapters/bundle/tar-writer.js';
import { makeTempDir } from '../../helpers/cli.js';

async function withTarStream(members: { name: string; bytes: Buffer }[], mtime: Date): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const m of members) pack.entry({ name: m.name, size: m.bytes.length, mode: 0o444, mtime, uid: 0, gid: 0, uname: 'kustody', gname: 'kustody', type: 'file' }, m.bytes);
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

test('the tar writer matches tar-stream byte for byte and hashes the tar and the streamed member in one pass', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const mtime = new Date('2026-11-27T04:00:00.000Z');
  for (const size of [0, 1, 511, 512, 513, 9 * 1024 * 1024 + 7, 17 * 1024 * 1024 - 512 - 3]) {
    const first = randomBytes(size);
    const source = join(dir, `db-${size}`);
    writeFileSync(source, first);
    const members = [{ name: 'evidence.db', bytes: first }, { name: 'manifest.json', bytes: Buffer.from('{"a":1}\n') }, { name: 'SHA256SUMS', bytes: Buffer.alloc(0) }];
    const out = join(dir, `out-${size}.tar`);
    const writer = new TarWriter(out, mtime);
    const db = await writer.addFile('evidence.db', source);
    await writer.addBytes('manifest.json', members[1]!.bytes);
    await writer.addBytes('SHA256SUMS', members[2]!.bytes);
    const whole = await writer.finish();
    await writer.close();
    const ours = readFileSync(out);
    assert.ok(ours.equals(await withTarStream(members, mtime)), `size ${size}: the tar differs from tar-stream's`);
    assert.equal(db.sha256, createHash('sha256').update(first).digest('hex'));
    assert.equal(db.size, size);
    assert.equal(whole.sha256, createHash('sha256').update(ours).digest('hex'));
    assert.equal(whole.size, ours.length);
    assert.match(execFileSync('tar', ['-tvf', out], { encoding: 'utf8' }), new RegExp(`^-r--r--r-- kustody/kustody +${size} 2026-11-27 04:00 evidence.db$`, 'm'));
  }
});
