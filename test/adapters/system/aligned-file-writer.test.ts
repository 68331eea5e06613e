// The aligned writer behind export's tar: every byte given arrives in order across its two staging
// buffers (the observer sees the same bytes), and where a file system takes O_DIRECT at open but
// refuses a write (a real ext4 with 4 KiB sectors given a 512-byte tail), it finishes with ordinary
// writes and the file is the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlignedFileWriter, STAGE_BYTES } from '../../../src/adapters/system/aligned-file-writer.js';
import { makeTempDir } from '../../helpers/cli.js';
import { lacks, needsRoot } from '../../helpers/prerequisites.js';
import { mountFourKSectorFs } from '../../helpers/sector-loop-fs.js';

/** Writes `content` through the writer in uneven pieces, half by append and half into space(). */
async function writeThrough(path: string, content: Buffer) {
  const observed = createHash('sha256');
  const writer = AlignedFileWriter.create(path, (bytes) => {
    observed.update(bytes);
  });
  const directAtStart = writer.usesDirectIo;
  try {
    let done = 0;
    for (let piece = 1; done < content.length; piece += 1) {
      const length = Math.min(content.length - done, (piece * 7919 * 512) % (STAGE_BYTES + 4096) + 512);
      if (piece % 2 === 0) {
        await writer.append(content.subarray(done, done + length));
        done += length;
      } else {
        const space = writer.space();
        const fits = Math.min(space.length, length);
        content.copy(space, 0, done, done + fits);
        await writer.commit(fits);
        done += fits;
      }
    }
    const size = await writer.finish();
    return { size, observed: observed.digest('hex'), directAtStart, directAtEnd: writer.usesDirectIo };
  } finally {
    await writer.close();
  }
}

test('every byte given reaches the file in order across several staging buffers, and the observer sees the same bytes', async (t) => {
  const { dir, cleanup } = makeTempDir('kustody-aligned-');
  t.after(cleanup);
  const content = randomBytes(2 * STAGE_BYTES + 3 * 512 + 5);
  const out = join(dir, 'out.bin');
  const written = await writeThrough(out, content);
  assert.equal(written.size, content.length);
  assert.ok(readFileSync(out).equals(content));
  assert.equal(written.observed, createHash('sha256').update(content).digest('hex'));
});

test('on an ext4 with 4 KiB sectors, the 512-byte tail O_DIRECT refuses is written without it and the file is the same', async (t) => {
  if (lacks(t, needsRoot('to set up a loop device with 4 KiB sectors'))) return;
  const fs = mountFourKSectorFs(64);
  t.after(fs.cleanup);
  const content = randomBytes(STAGE_BYTES + 4096 + 512);
  const out = join(fs.dir, 'out.bin');
  const written = await writeThrough(out, content);
  assert.equal(written.directAtStart, true, 'the file system refused O_DIRECT at open: the fallback under test was not reached');
  assert.equal(written.directAtEnd, false, 'the refused write did not switch to ordinary writes');
  assert.ok(readFileSync(out).equals(content));
  assert.equal(written.observed, createHash('sha256').update(content).digest('hex'));
});
