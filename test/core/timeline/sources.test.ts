// The timeline's sources on stored rows: derived process starts (and what cannot be derived),
// container runs, Kubernetes events, object creation, log lines. Pure, on rows shaped as the case stores them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTimelineWithGaps, type SourceRow, type TimelineFacts } from '../../../src/core/timeline/index.js';
import { containerSource, kubeEventSource, objectSource } from '../../../src/core/timeline/kube-sources.js';
import { logLineSource } from '../../../src/core/timeline/log-source.js';
import { processStartSource, USER_HZ } from '../../../src/core/timeline/process-source.js';

const CID = 'a'.repeat(64);
let next = 1;
const row = (fields: Record<string, unknown>): SourceRow => ({ rowid: next++, ...fields });

const pod = (status: unknown, uid = 'pod-uid') => row({ capture_id: 'cap-1', kind: 'Pod', namespace: 'shop', name: 'web', uid, json: JSON.stringify({ kind: 'Pod', metadata: { namespace: 'shop', name: 'web', uid, creationTimestamp: '2026-12-07T03:00:00Z' }, spec: { nodeName: 'n1' }, status }) });
const running = { startTime: '2026-12-07T03:00:01Z', containerStatuses: [{ name: 'app', image: 'img', containerID: `containerd://${CID}`, state: { running: { startedAt: '2026-12-07T03:00:02Z' } }, lastState: { terminated: { startedAt: '2026-12-07T02:59:00Z', finishedAt: '2026-12-07T02:59:30Z', exitCode: 137, reason: 'OOMKilled', containerID: 'containerd://old' } } }] };
const proc = (pid: number, nspid: number, ticks: number, container = CID) => row({ capture_id: 'cap-1', pid, ppid: 1, comm: `p${pid}`, exe: '/bin/x', cmdline: 'x', start_time: ticks, container_id: container, nspid_json: JSON.stringify([pid + 1000, nspid]) });

test('a process start is derived from its container\'s startedAt and its ticks after the container init, stated as derived', () => {
  const facts: TimelineFacts = { 'process-start': { processes: [proc(1001, 1, 5000), proc(1002, 7, 5000 + 2.5 * USER_HZ), proc(1003, 9, 100, 'other-container')], pods: [pod(running)] } };
  const { events, gaps } = buildTimelineWithGaps(facts, {}, [processStartSource]);
  assert.deepEqual(events.map((e) => [e.datetime, e.message.split(' ').slice(0, 3).join(' ')]), [
    ['2026-12-07T03:00:02.000Z', 'process 1001 p1001'],
    ['2026-12-07T03:00:04.500Z', 'process 1002 p1002'],
  ]);
  assert.ok(events.every((e) => e.timestampDesc === 'Process start' && e.derived?.includes('boot time not captured') === true && e.source.table === 'processes'));
  assert.equal(gaps.length, 1);
  assert.match(gaps[0] ?? '', /1 process\(es\) of capture cap-1 have no wall-clock start time/);
});

test('without a captured Pod status, or without the container\'s init process, no process start is invented', () => {
  const noPod = buildTimelineWithGaps({ 'process-start': { processes: [proc(1, 1, 10), proc(2, 2, 20)], pods: [] } }, {}, [processStartSource]);
  assert.deepEqual(noPod.events, []);
  assert.match(noPod.gaps.join(), /2 process\(es\)/);
  const noInit = buildTimelineWithGaps({ 'process-start': { processes: [proc(2, 2, 20)], pods: [pod(running)] } }, {}, [processStartSource]);
  assert.deepEqual(noInit.events, []);
});

test('container runs give start and finish events (previous run included), once however many captures hold the Pod', () => {
  const facts: TimelineFacts = { containers: { pods: [pod(running), pod(running)] } };
  const events = buildTimelineWithGaps(facts, {}, [containerSource]).events.map((e) => `${e.datetime} ${e.timestampDesc}: ${e.message}`);
  assert.deepEqual(events, [
    '2026-12-07T02:59:00.000Z Container start: container app of pod shop/web started (previous run) (image img, containerd://old)',
    '2026-12-07T02:59:30.000Z Container finish: container app of pod shop/web finished (previous run): exit code 137 (OOMKilled)',
    '2026-12-07T03:00:01.000Z Pod start: pod shop/web acknowledged by the kubelet on node n1',
    `2026-12-07T03:00:02.000Z Container start: container app of pod shop/web started (image img, containerd://${CID})`,
  ]);
});

test('Kubernetes events are placed at their first and last sighting; an event with no valid time is counted, not guessed', () => {
  const event = (json: unknown) => row({ capture_id: 'cap-1', kind: 'Event', namespace: 'shop', name: 'e', uid: null, json: JSON.stringify(json) });
  const facts: TimelineFacts = { 'kubernetes-events': { events: [
    event({ metadata: { uid: 'e1' }, type: 'Warning', reason: 'BackOff', message: 'restarting <script>', count: 4, firstTimestamp: '2026-12-07T03:00:00Z', lastTimestamp: '2026-12-07T03:05:00Z', involvedObject: { kind: 'Pod', namespace: 'shop', name: 'web' }, source: { component: 'kubelet' } }),
    event({ metadata: { uid: 'e2' }, type: 'Normal', reason: 'Scheduled', note: 'assigned', eventTime: '2026-12-07T02:58:00.123456Z', regarding: { kind: 'Pod', namespace: 'shop', name: 'web' }, reportingController: 'default-scheduler' }),
    event({ metadata: { uid: 'e3' }, reason: 'NoTime', firstTimestamp: 'soon' }),
  ] } };
  const { events, gaps } = buildTimelineWithGaps(facts, {}, [kubeEventSource]);
  assert.deepEqual(events.map((e) => `${e.datetime} ${e.timestampDesc}: ${e.message}`), [
    '2026-12-07T02:58:00.123Z Kubernetes event: Normal Scheduled Pod shop/web: assigned [default-scheduler]',
    '2026-12-07T03:00:00.000Z Kubernetes event: Warning BackOff Pod shop/web: restarting <script> (×4) [kubelet]',
    '2026-12-07T03:05:00.000Z Kubernetes event last seen: Warning BackOff Pod shop/web: restarting <script> (×4) [kubelet]',
  ]);
  assert.deepEqual(gaps, ['1 Kubernetes event(s) carry no valid time and are not on the timeline']);
});

test('object creation and deletion requests are dated once per object uid; unparseable JSON gives nothing', () => {
  const object = (uid: string, json: string) => row({ capture_id: 'cap-1', kind: 'Secret', namespace: 'shop', name: 'db', uid, json });
  const meta = { namespace: 'shop', name: 'db', uid: 's1', creationTimestamp: '2026-12-07T01:00:00Z', deletionTimestamp: '2026-12-07T04:00:00Z' };
  const facts: TimelineFacts = { objects: { objects: [object('s1', JSON.stringify({ kind: 'Secret', metadata: meta })), object('s1', JSON.stringify({ kind: 'Secret', metadata: meta })), object('s2', '{not json')] } };
  assert.deepEqual(buildTimelineWithGaps(facts, {}, [objectSource]).events.map((e) => `${e.timestampDesc}: ${e.message}`), ['Object created: Secret shop/db created', 'Object deletion requested: Secret shop/db marked for deletion']);
});

test('log lines are dated by their runtime stamp, numbered within the artifact, deduplicated across captures; unstamped lines are counted', () => {
  const log = (text: Uint8Array, source = 'pods/shop/web/log?container=app') => row({ source, content: text });
  const first = log(Buffer.from('2026-12-07T03:00:00.123456789Z hello\n2026-12-07T03:00:01Z bad \xff byte\n', 'latin1'));
  const again = log(Buffer.from('2026-12-07T03:00:00.123456789Z hello\n2026-12-07T03:00:02Z more\ncut without a st', 'utf8'));
  const previous = log(Buffer.from('2026-12-07T02:00:00Z \x1b]52;c;SGk=\x07 old\n'), 'pods/shop/web/log?container=app&previous=true');
  const { events, gaps } = buildTimelineWithGaps({ 'log-lines': { logs: [first, again, previous] } }, {}, [logLineSource]);
  assert.deepEqual(events.map((e) => [e.datetime, e.message, e.source.rowid, e.source.line]), [
    ['2026-12-07T02:00:00.000Z', 'app of shop/web (previous run): \x1b]52;c;SGk=\x07 old', previous.rowid, 1],
    ['2026-12-07T03:00:00.123Z', 'app of shop/web: hello', first.rowid, 1],
    ['2026-12-07T03:00:01.000Z', 'app of shop/web: bad \\xff byte', first.rowid, 2],
    ['2026-12-07T03:00:02.000Z', 'app of shop/web: more', again.rowid, 2],
  ]);
  assert.deepEqual(gaps, ['1 container log line(s) carry no timestamp (cut by the size cap, or not stamped) and are not on the timeline']);
});
