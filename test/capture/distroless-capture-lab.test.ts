import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { applyScenario, kubectl, labCollectorImage, requireLab } from '../helpers/lab.js';

function query(db: string, sql: string): string[][] {
  return execFileSync('sqlite3', ['-separator', '\t', db, sql], { encoding: 'utf8' }).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

test('a distroless pod (one static binary, no sh) is captured with kustody\'s shipped collector image: auto skips exec with its reason and uses debug; node works too', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const image = await labCollectorImage();
  const printed = await runKustody(['collector', 'image', '--print-digest']);
  assert.equal(image, `lab.local/kustody-collector@${printed.stdout.trim()}`, 'the lab runs the image this checkout builds');
  const ns = `cimg-${Math.random().toString(36).slice(2, 7)}`;
  await applyScenario('distroless', ns);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  // The control: the pod really has no shell.
  const shell = await kubectl(lab, 'admin', ['exec', '-n', ns, 'app', '--', 'sh', '-c', 'true']);
  assert.notEqual(shell.exitCode, 0);
  assert.match(shell.stderr, /"sh": executable file not found/);

  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const created = await newCase(dir);
  const db = join(created.path, 'evidence.db');
  const env = { KUBECONFIG: lab.responderKubeconfig };
  const pinned = ['--collector-image', image, '--collector-pull-policy', 'Never', '--yes'];
  for (const via of ['auto', 'node']) {
    const run = await runKustody(['capture', 'pod', `${ns}/app`, '--case', created.path, '--via', via, '--json', ...pinned], { env });
    assert.equal(run.exitCode, 0, `${via}: ${run.stdout} ${run.stderr}`);
    const summary = JSON.parse(run.stdout) as { captureId: string; vantage: string; status: string; vantageLog: string[]; notes: string[] };
    assert.equal(summary.vantage, via === 'auto' ? 'debug' : 'node');
    assert.equal(summary.status, 'complete', summary.notes.join('\n'));
    if (via === 'auto') {
      assert.match(summary.vantageLog[0] ?? '', /^exec: skipped, the container has no sh to run the collector \(a distroless image\?\)/);
      assert.equal(summary.vantageLog[1], 'debug: used');
    }
    assert.ok(!summary.notes.some((n) => n.startsWith('UNPINNED')), 'a pinned image is not reported as unpinned');
    const id = summary.captureId;
    assert.deepEqual(query(db, `SELECT exe, cmdline FROM processes WHERE capture_id = '${id}'`), [['/sleep', '/sleep 100000']], via);
    const creds = query(db, `SELECT subject FROM credentials WHERE capture_id = '${id}' AND kind = 'serviceaccount-token'`);
    assert.deepEqual(creds, [[`system:serviceaccount:${ns}:app`]], via);
    const end = query(db, `SELECT detail FROM actions WHERE json_extract(detail, '$.capture_id') = '${id}' AND json_extract(detail, '$.step') = 'capture-end'`)[0]?.[0] ?? '';
    assert.ok(end.includes(image), `${via}: the custody log does not name the pinned image`);
  }
  // The ephemeral container runs the image by its digest.
  const pod = JSON.parse((await kubectl(lab, 'admin', ['get', 'pod', '-n', ns, 'app', '-o', 'json'])).stdout) as { status: { ephemeralContainerStatuses?: Array<{ image: string; imageID: string }> } };
  const debug = pod.status.ephemeralContainerStatuses ?? [];
  assert.equal(debug.length, 1);
  assert.ok(debug[0]?.imageID.endsWith(printed.stdout.trim()), JSON.stringify(debug));
});
