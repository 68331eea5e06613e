/**
 * A case whose every untrusted field a report shows holds hostile text: markup, script, Markdown link
 * and image syntax, backticks, entities, ESC/OSC sequences, bidi overrides, a 1 MiB value. Built with
 * the CLI (case, notes) and the store API capture steps (rows as capture stores them), all real SQLite.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beginCapture, commitCaptureStep, finishCapture } from '../../src/adapters/store/capture-store.js';
import { recordAction } from '../../src/adapters/store/case-store.js';
import { openWritableDb } from '../../src/adapters/store/open-store.js';
import { newCase, runKustody } from './cli.js';

/** The hostile strings, by what they try. */
export const HOSTILE = {
  script: '<script>window.__pwned=1</script>',
  img: '<img src=x onerror="window.__pwned=2">',
  mdLink: '](javascript:alert(1)) [x](javascript:alert(2))',
  mdImage: '![i](http://127.0.0.1:9/pixel.png)',
  backticks: 'a ``` b ` c `` d',
  entities: '&lt;b&gt; &amp; &#x3c;script&#x3e;',
  osc: '\x1b]52;c;aGVsbG8=\x07 \x1b[2J',
  bidi: 'exe\u202efdp.sh',
  autolink: 'https://evil.example/x www.evil.example',
  css: '<link rel=stylesheet href=http://127.0.0.1:9/x.css><iframe src=http://127.0.0.1:9/></iframe>',
} as const;

/** Every hostile string joined, for fields that can hold them all. */
export const ALL_HOSTILE = Object.values(HOSTILE).join(' | ');

/** A 1 MiB value that starts with markup. */
export const HUGE = `<script>window.__pwned=3</script>${'A'.repeat(1 << 20)}`;

/** Creates the hostile case under `dir`; returns its folder. `partial` leaves the capture partial, `capture: false` stores none. */
export async function makeHostileCase(dir: string, options: { capture?: boolean } = {}): Promise<string> {
  const created = await newCase(dir, `case ${ALL_HOSTILE}`);
  for (const text of [ALL_HOSTILE, HOSTILE.mdLink, HOSTILE.osc + HOSTILE.bidi]) {
    const run = await runKustody(['case', 'note', created.path, text]);
    if (run.exitCode !== 0) throw new Error(`case note failed: ${run.stderr}`);
  }
  if (options.capture === false) return created.path;
  const db = openWritableDb(join(created.path, 'evidence.db'));
  try {
    let second = 0;
    const stamp = () => ({ at: `2026-12-07T05:00:${String(++second).padStart(2, '0')}.000Z`, actor: `responder ${HOSTILE.bidi}@host` });
    const target = `pod:shop/${HOSTILE.script}`;
    const capture = { captureId: 'cap-hostile', target, vantage: 'exec', detail: { requested: 'exec' } };
    beginCapture(db, capture, stamp());
    const proc = {
      pid: 41, ppid: 1, uid: 0, gid: 0, comm: HOSTILE.img.slice(0, 15), cmdline: null, argv_json: null, exe: `/tmp/${HOSTILE.img} ${HOSTILE.bidi} (deleted)`, exe_sha256: 'ab'.repeat(32), exe_deleted: 1,
      cwd: '/', root: '/', start_time: 100n, state: 'S', cap_eff: '00000000a82425fb', cap_prm: null, cap_bnd: null, no_new_privs: 0, seccomp: 0, container_id: 'c1', pod_uid: 'u1',
      nspid_json: null, net_ns: 'net:[1]', mnt_ns: 'mnt:[1]', pid_ns: 'pid:[1]', env_json: null, warnings_json: '[]',
    };
    const content = Buffer.from(`status of ${ALL_HOSTILE}`);
    const artifact = { sha256: createHash('sha256').update(content).digest('hex'), size: content.length, mediaType: 'text/plain', source: `/proc/41/status ${HOSTILE.mdImage}`, vantage: 'exec', collectedAt: '2026-12-07T05:00:02.500Z', captureId: capture.captureId, content };
    commitCaptureStep(db, { captureId: capture.captureId, target, step: 'processes', rows: { processes: [proc, { ...proc, pid: 42, comm: HUGE, exe: '/bin/sh', exe_deleted: 0 }] }, warnings: [{ pid: 41, code: 'HUGE', message: HUGE }], artifacts: [artifact] }, stamp());
    commitCaptureStep(db, { captureId: capture.captureId, target, step: 'connections', rows: { connections: [
      { proto: 'tcp', local_addr: '0.0.0.0', local_port: 4444, remote_addr: null, remote_port: null, state: 'LISTEN', inode: 9n, pid: 41, fd: 3, net_ns: 'net:[1]', uid: 0 },
    ] }, warnings: [] }, stamp());
    commitCaptureStep(db, { captureId: capture.captureId, target, step: 'mounts', rows: { mounts: [
      { pid: 41, mount_point: `/host ${HOSTILE.css}`, fs_type: 'ext4', source: HOSTILE.entities, options: 'rw,relatime', flagged: 'host-path', root: '/', mnt_ns: 'mnt:[1]', super_options: 'rw' },
    ] }, warnings: [] }, stamp());
    commitCaptureStep(db, { captureId: capture.captureId, target, step: 'credentials', rows: { credentials: [
      { kind: 'secret-env', location: `env:${HOSTILE.backticks}`, subject: HOSTILE.autolink, fingerprint: 'hmac-sha256:feedface', expires_at: null, claims_json: null, pid: 41 },
    ] }, warnings: [] }, stamp());
    finishCapture(db, { captureId: capture.captureId, target, status: 'partial', unfinished: ['kubernetes-objects'], notes: [`vantage exec: used`, `footprint: ${HOSTILE.script}`] }, stamp());
    const change = { plan: 'isolate', plan_target: target, change_id: `np-${HOSTILE.mdLink}`, title: `NetworkPolicy ${HOSTILE.img}` };
    recordAction(db, { ...stamp(), kind: 'plan', target, detail: { plan: 'isolate', dry_run: false, changes: [], report: [] }, outcome: 'planned' });
    recordAction(db, { ...stamp(), kind: 'contain', target: `NetworkPolicy shop/${HOSTILE.osc}`, detail: { ...change, before: null }, outcome: 'intent' });
    recordAction(db, { ...stamp(), kind: 'contain', target: `NetworkPolicy shop/${HOSTILE.osc}`, detail: { ...change, after: null }, outcome: 'applied' });
    recordAction(db, { ...stamp(), kind: 'observe', target, detail: { step: 'isolation-check', established: [{ proto: 'tcp', local_addr: '10.0.0.5', local_port: 443, remote_addr: HOSTILE.script, remote_port: 4444 }], error: null }, outcome: 'isolation-incomplete' });
  } finally {
    db.close();
  }
  return created.path;
}

/**
 * Adds a capture of Kubernetes objects whose names, namespace, label keys and values, annotation keys
 * and Event type carry hostile text, stored through the capture store as `capture pod` stores them.
 * A conforming API server refuses such names and labels; a compromised one, a proxy in the path or an
 * aggregated API can still return them, so kustody must not rely on that validation. Returns the pod's name.
 */
export function addHostileKubeObjects(casePath: string): { namespace: string; name: string } {
  const namespace = `ns${HOSTILE.osc}`;
  const name = `web${HOSTILE.bidi}${HOSTILE.script}\nsecond line`;
  const target = `pod:${namespace}/${name}`;
  const metadata = {
    name, namespace, uid: 'uid-hostile-pod', resourceVersion: '7', creationTimestamp: '2026-12-07T04:00:00Z',
    labels: { [`app${HOSTILE.osc}`]: `${HOSTILE.mdLink}\u009b31m`, tier: HOSTILE.backticks },
    annotations: { [`note/${HOSTILE.css}`]: `${HOSTILE.mdImage}\n${HOSTILE.entities}` },
  };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata, spec: { nodeName: `node${HOSTILE.osc}` }, status: {} };
  const event = {
    apiVersion: 'v1', kind: 'Event', metadata: { name: `${name}.1`, namespace, uid: 'uid-hostile-event', creationTimestamp: '2026-12-07T04:00:01Z' },
    involvedObject: { kind: 'Pod', name, namespace }, type: `=HYPERLINK("http://127.0.0.1:9/")${HOSTILE.osc}`, reason: `@SUM(1)${HOSTILE.bidi}`,
    message: `${HOSTILE.script}\n${HOSTILE.mdLink}`, firstTimestamp: '2026-12-07T04:00:01Z', lastTimestamp: '2026-12-07T04:00:01Z', count: 1,
  };
  const db = openWritableDb(join(casePath, 'evidence.db'));
  try {
    const stamp = (s: number) => ({ at: `2026-12-07T05:10:${String(s).padStart(2, '0')}.000Z`, actor: 'tester@host' });
    const capture = { captureId: 'cap-hostile-objects', target, vantage: 'api', detail: { requested: 'api' } };
    beginCapture(db, capture, stamp(1));
    commitCaptureStep(db, { captureId: capture.captureId, target, step: 'kubernetes-objects', rows: { k8s_objects: [
      { kind: 'Pod', namespace, name, uid: metadata.uid, resource_version: '7', json: JSON.stringify(pod) },
      { kind: 'Event', namespace, name: event.metadata.name, uid: event.metadata.uid, resource_version: '8', json: JSON.stringify(event) },
    ] }, warnings: [] }, stamp(2));
    finishCapture(db, { captureId: capture.captureId, target, status: 'complete', unfinished: [], notes: [] }, stamp(3));
  } finally {
    db.close();
  }
  return { namespace, name };
}
