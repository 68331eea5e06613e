/**
 * Process start times. /proc gives a process's start as clock ticks after boot; a capture does not
 * record the boot time, so no start can be read as a wall-clock time directly. What the case does
 * hold: the Pod status's `startedAt` for each container (whole seconds) and the container's init
 * process (pid 1 in its pid namespace, same container id) with its start ticks. A process of that
 * container started `(its ticks − init's ticks) / USER_HZ` seconds after the init process, so its
 * start is derived from the container's startedAt, stated as derived, to the second. Processes
 * without such an anchor are left off and counted in the gaps. Pure.
 */
import { asObject, asObjects, parseObject } from './kube-object.js';
import { boundMessage, textOf } from './message-text.js';
import { isoFromMs, parseIsoTime } from './time-values.js';
import type { SourceRow, TimelineEvent, TimelineSource } from './timeline-event.js';

/** Clock ticks per second of /proc start times: the kernel's USER_HZ, 100 on every architecture kustody captures (x86-64, arm64). */
export const USER_HZ = 100;

/** How a derived process start time was computed, on every such event. */
export const PROCESS_START_DERIVATION = `container startedAt (whole seconds, from the Pod status in the same capture) + (start ticks − the container init's start ticks) / ${USER_HZ} (USER_HZ); boot time not captured; accurate to about 1 s`;

/** The pid inside the innermost pid namespace, from nspid_json (or the pid itself). */
function innermostPid(row: SourceRow): number | null {
  try {
    const list: unknown = JSON.parse(textOf(row.nspid_json));
    if (Array.isArray(list) && list.length > 0) {
      const last: unknown = list[list.length - 1];
      return typeof last === 'number' ? last : null;
    }
  } catch {
    // fall through to the pid as recorded
  }
  return typeof row.pid === 'number' ? row.pid : null;
}

/** Container id (without the runtime prefix) → startedAt in ms, per capture, from the captured Pods. */
function containerStarts(pods: readonly SourceRow[]): Map<string, number> {
  const starts = new Map<string, number>();
  for (const row of pods) {
    const status = asObject(parseObject(row.json).status);
    for (const list of [status.initContainerStatuses, status.containerStatuses, status.ephemeralContainerStatuses]) {
      for (const c of asObjects(list)) {
        const id = textOf(c.containerID).replace(/^[a-z0-9-]+:\/\//, '');
        const ms = parseIsoTime(asObject(asObject(c.state).running).startedAt ?? asObject(asObject(c.state).terminated).startedAt);
        if (id !== '' && ms !== null && !starts.has(`${textOf(row.capture_id)}\0${id}`)) starts.set(`${textOf(row.capture_id)}\0${id}`, ms);
      }
    }
  }
  return starts;
}

/** Process starts derived from container start times, once per process (container, pid in its namespace, start ticks). */
export const processStartSource: TimelineSource = {
  id: 'process-start',
  reads: {
    processes: { table: 'processes', columns: ['capture_id', 'pid', 'ppid', 'comm', 'exe', 'cmdline', 'start_time', 'container_id', 'nspid_json'] },
    pods: { table: 'k8s_objects', columns: ['capture_id', 'json'], where: "kind = 'Pod'" },
  },
  events(rows, gaps) {
    const processes = rows.processes ?? [];
    const starts = containerStarts(rows.pods ?? []);
    const initTicks = new Map<string, number>();
    for (const p of processes) {
      if (innermostPid(p) === 1 && typeof p.start_time === 'number' && textOf(p.container_id) !== '') initTicks.set(`${textOf(p.capture_id)}\0${textOf(p.container_id)}`, p.start_time);
    }
    const out: TimelineEvent[] = [];
    const seen = new Set<string>();
    const unplaced = new Map<string, number>();
    for (const p of processes) {
      const key = `${textOf(p.capture_id)}\0${textOf(p.container_id)}`;
      const anchor = starts.get(key);
      const init = initTicks.get(key);
      if (anchor === undefined || init === undefined || typeof p.start_time !== 'number' || p.start_time < init) {
        unplaced.set(textOf(p.capture_id), (unplaced.get(textOf(p.capture_id)) ?? 0) + 1);
        continue;
      }
      const identity = `${textOf(p.container_id)}\0${innermostPid(p) ?? ''}\0${p.start_time}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      const datetime = isoFromMs(anchor + ((p.start_time - init) * 1000) / USER_HZ);
      if (datetime === null) continue;
      const exe = textOf(p.exe);
      const message = `process ${textOf(p.pid)} ${textOf(p.comm)} started (ppid ${textOf(p.ppid) || '?'}${exe === '' ? '' : `, exe ${exe}`}): ${textOf(p.cmdline)}`;
      out.push({ datetime, timestampDesc: 'Process start', message: boundMessage(message), source: { table: 'processes', rowid: p.rowid }, derived: PROCESS_START_DERIVATION });
    }
    for (const [capture, count] of unplaced) {
      gaps.push(`${count} process(es) of capture ${capture} have no wall-clock start time: the capture records start ticks after boot but not the boot time, and no container start with its init process anchors them`);
    }
    return out;
  },
};
