/**
 * Timeline sources of the captured Kubernetes objects: container start and finish times (Pod status),
 * Kubernetes events, and object creation and deletion times. The same fact seen in several captures
 * is one event, on the first row that holds it. Pure.
 */
import { asObject, asObjects, objectName, parseObject, type Json } from './kube-object.js';
import { boundMessage, textOf } from './message-text.js';
import { isoUtc } from './time-values.js';
import type { SourceRow, TimelineEvent, TimelineSource } from './timeline-event.js';

const OBJECT_COLUMNS = ['capture_id', 'kind', 'namespace', 'name', 'uid', 'json'] as const;

/** Collects events, one per distinct key, from rows in rowid order. */
class EventSet {
  private readonly seen = new Set<string>();
  readonly events: TimelineEvent[] = [];
  add(key: string, at: unknown, timestampDesc: string, message: string, row: SourceRow): void {
    const datetime = isoUtc(at);
    if (datetime === null || this.seen.has(`${key}\0${datetime}`)) return;
    this.seen.add(`${key}\0${datetime}`);
    this.events.push({ datetime, timestampDesc, message: boundMessage(message), source: { table: 'k8s_objects', rowid: row.rowid } });
  }
}

function containerRuns(set: EventSet, row: SourceRow, pod: Json, status: Json, role: string): void {
  const meta = asObject(pod.metadata);
  const podName = objectName(meta.namespace ?? row.namespace, meta.name ?? row.name);
  const name = textOf(status.name);
  const key = `${textOf(meta.uid ?? row.uid)}\0${role}\0${name}`;
  const what = `${role} ${name} of pod ${podName}`;
  const image = textOf(status.image);
  const id = textOf(status.containerID);
  const started = (run: Json, which: string) => set.add(`${key}\0start\0${textOf(run.containerID) || id}`, run.startedAt, 'Container start', `${what} started${which} (image ${image}${id === '' ? '' : `, ${textOf(run.containerID) || id}`})`, row);
  const finished = (run: Json, which: string) => {
    const reason = textOf(run.reason);
    set.add(`${key}\0finish\0${textOf(run.containerID) || id}`, run.finishedAt, 'Container finish', `${what} finished${which}: exit code ${textOf(run.exitCode) || '?'}${reason === '' ? '' : ` (${reason})`}`, row);
  };
  const state = asObject(status.state);
  const last = asObject(asObject(status.lastState).terminated);
  if (Object.keys(last).length > 0) {
    started(last, ' (previous run)');
    finished(last, ' (previous run)');
  }
  started(asObject(state.running), '');
  const terminated = asObject(state.terminated);
  started(terminated, '');
  finished(terminated, '');
}

/** Container start and finish times from every captured Pod's status, and the pod's own start time. */
export const containerSource: TimelineSource = {
  id: 'containers',
  reads: { pods: { table: 'k8s_objects', columns: OBJECT_COLUMNS, where: "kind = 'Pod'" } },
  events(rows) {
    const set = new EventSet();
    for (const row of rows.pods ?? []) {
      const pod = parseObject(row.json);
      const status = asObject(pod.status);
      const meta = asObject(pod.metadata);
      set.add(`${textOf(meta.uid ?? row.uid)}\0pod-start`, status.startTime, 'Pod start', `pod ${objectName(meta.namespace ?? row.namespace, meta.name ?? row.name)} acknowledged by the kubelet on node ${textOf(asObject(pod.spec).nodeName)}`, row);
      for (const s of asObjects(status.initContainerStatuses)) containerRuns(set, row, pod, s, 'init container');
      for (const s of asObjects(status.containerStatuses)) containerRuns(set, row, pod, s, 'container');
      for (const s of asObjects(status.ephemeralContainerStatuses)) containerRuns(set, row, pod, s, 'ephemeral container');
    }
    return set.events;
  },
};

/** Kubernetes events (core/v1 and events.k8s.io shapes): when first and last seen, what, about which object. */
export const kubeEventSource: TimelineSource = {
  id: 'kubernetes-events',
  reads: { events: { table: 'k8s_objects', columns: OBJECT_COLUMNS, where: "kind = 'Event'" } },
  events(rows, gaps) {
    const set = new EventSet();
    let undated = 0;
    for (const row of rows.events ?? []) {
      const event = parseObject(row.json);
      const meta = asObject(event.metadata);
      const about = asObject(event.involvedObject ?? event.regarding);
      const path = textOf(about.fieldPath);
      const count = Number(event.count ?? asObject(event.series).count ?? 1);
      const from = textOf(asObject(event.source).component) || textOf(event.reportingComponent) || textOf(event.reportingController);
      const text = `${textOf(event.type)} ${textOf(event.reason)} ${textOf(about.kind)} ${objectName(about.namespace, about.name)}${path === '' ? '' : ` ${path}`}: ${textOf(event.message ?? event.note)}${Number.isFinite(count) && count > 1 ? ` (×${count})` : ''}${from === '' ? '' : ` [${from}]`}`;
      const key = textOf(meta.uid ?? row.uid);
      const first = event.eventTime ?? event.firstTimestamp ?? event.deprecatedFirstTimestamp ?? meta.creationTimestamp;
      const last = asObject(event.series).lastObservedTime ?? event.lastTimestamp ?? event.deprecatedLastTimestamp;
      const before = set.events.length;
      set.add(`${key}\0first`, first, 'Kubernetes event', text, row);
      if (last !== undefined && last !== null && isoUtc(last) !== isoUtc(first)) set.add(`${key}\0last`, last, 'Kubernetes event last seen', text, row);
      if (set.events.length === before && isoUtc(first) === null) undated += 1;
    }
    if (undated > 0) gaps.push(`${undated} Kubernetes event(s) carry no valid time and are not on the timeline`);
    return set.events;
  },
};

/** Creation (and deletion request) times of every captured object except events, once per object uid. */
export const objectSource: TimelineSource = {
  id: 'objects',
  reads: { objects: { table: 'k8s_objects', columns: OBJECT_COLUMNS, where: "kind <> 'Event'" } },
  events(rows) {
    const set = new EventSet();
    for (const row of rows.objects ?? []) {
      const object = parseObject(row.json);
      const meta = asObject(object.metadata);
      const kind = textOf(object.kind) || textOf(row.kind);
      const name = objectName(meta.namespace ?? row.namespace, meta.name ?? row.name);
      const key = textOf(meta.uid ?? row.uid) || `${kind}\0${name}`;
      set.add(`${key}\0created`, meta.creationTimestamp, 'Object created', `${kind} ${name} created`, row);
      set.add(`${key}\0deleted`, meta.deletionTimestamp, 'Object deletion requested', `${kind} ${name} marked for deletion`, row);
    }
    return set.events;
  },
};
