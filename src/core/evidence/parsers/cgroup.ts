import { latin1, toByteText, type ByteText } from './byte-text.js';
import { splitLines } from './lines.js';
import { describeBytes, WarningList, type ParseWarning } from './parse-warning.js';
import { parseDecimalNumber, U32_MAX } from './numbers.js';

/** One line of `/proc/<pid>/cgroup`: `hierarchy:controllers:path`, where v2 is hierarchy 0 with no controllers. */
export interface CgroupEntry {
  readonly line: number;
  readonly hierarchyId: number;
  readonly controllers: readonly string[];
  readonly version: 1 | 2;
  /** The cgroup path, relative to the reader's cgroup namespace root (inside a container often just `/`). */
  readonly path: ByteText;
}

/** Container runtimes whose cgroup naming this parser recognises. */
export type ContainerRuntime = 'containerd' | 'docker' | 'cri-o' | 'podman' | 'unknown';

/** What a cgroup path says about the container and Kubernetes pod a process runs in. */
export interface ContainerRef {
  /** The 64-hex-digit container id, or null when the path names only a pod. */
  readonly containerId: string | null;
  readonly runtime: ContainerRuntime | null;
  /** The pod UID with dashes, as the API server shows it (static pods use a 32-hex-digit hash instead). */
  readonly podUid: string | null;
  readonly qosClass: 'Guaranteed' | 'Burstable' | 'BestEffort' | null;
}

/** The parsed cgroup file and the container it points to, if any. */
export interface ProcCgroup {
  readonly entries: readonly CgroupEntry[];
  /** From the v2 line when it names a container, else from the first v1 line that does. */
  readonly container: ContainerRef | null;
  readonly warnings: ParseWarning[];
}

const MAX_LINES = 1024;
const RUNTIME_SCOPES: ReadonlyArray<[RegExp, ContainerRuntime]> = [
  [/(?:^|:)cri-containerd[-:]([0-9a-f]{64})(?:\.scope)?$/, 'containerd'],
  [/^docker-([0-9a-f]{64})\.scope$/, 'docker'],
  [/^crio-([0-9a-f]{64})(?:\.scope)?$/, 'cri-o'],
  [/^libpod-([0-9a-f]{64})(?:\.scope)?$/, 'podman'],
];
const BARE_ID = /^([0-9a-f]{64})$/;
const POD_UID = /(?:^|-)pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{32})(?:\.slice)?(?::|$)/;

/** Parses `/proc/<pid>/cgroup` (v1 and v2 lines) and finds the container id and pod UID its paths hold. */
export function parseCgroup(bytes: Uint8Array): ProcCgroup {
  const warnings = new WarningList();
  const { lines, skippedLines } = splitLines(bytes, MAX_LINES);
  if (skippedLines > 0) warnings.add('LINE_LIMIT', `cgroup has ${skippedLines} lines past the limit of ${MAX_LINES}`);
  const entries: CgroupEntry[] = [];
  for (const span of lines) {
    const line = bytes.subarray(span.start, span.end);
    if (line.length === 0) continue;
    const first = line.indexOf(0x3a);
    const second = first === -1 ? -1 : line.indexOf(0x3a, first + 1);
    const hierarchyId = first === -1 ? null : parseDecimalNumber(latin1(line, 0, first), 0, U32_MAX);
    if (second === -1 || hierarchyId === null) {
      warnings.add('MALFORMED_LINE', `expected "id:controllers:path": ${describeBytes(line)}`, span.number);
      continue;
    }
    const controllerText = toByteText(line, first + 1, second).text;
    const controllers = controllerText === '' ? [] : controllerText.split(',');
    const version = hierarchyId === 0 && controllers.length === 0 ? 2 : 1;
    entries.push({ line: span.number, hierarchyId, controllers, version, path: toByteText(line, second + 1) });
  }
  const refs = entries
    .map((entry) => ({ entry, ref: containerRefFromCgroupPath(latin1(entry.path.bytes)) }))
    .filter((found): found is { entry: CgroupEntry; ref: ContainerRef } => found.ref !== null);
  const chosen = refs.find((found) => found.entry.version === 2 && found.ref.containerId !== null)
    ?? refs.find((found) => found.ref.containerId !== null)
    ?? refs[0];
  for (const other of refs) {
    if (chosen !== undefined && other.ref.containerId !== null && other.ref.containerId !== chosen.ref.containerId) {
      warnings.add('CONTAINER_ID_CONFLICT', `line ${other.entry.line} names container ${other.ref.containerId}, not ${chosen.ref.containerId ?? 'none'}`, other.entry.line);
    }
  }
  return { entries, container: chosen?.ref ?? null, warnings: warnings.toArray() };
}

/** Reads the container id, runtime, pod UID and QoS class from one cgroup path (v1 or v2, cgroupfs or systemd naming); the deepest container wins. */
export function containerRefFromCgroupPath(path: string): ContainerRef | null {
  const segments = path.split('/');
  let containerId: string | null = null;
  let runtime: ContainerRuntime | null = null;
  for (let i = segments.length - 1; i >= 0 && containerId === null; i -= 1) {
    const segment = segments[i] ?? '';
    for (const [pattern, name] of RUNTIME_SCOPES) {
      const match = pattern.exec(segment);
      if (match !== null) [containerId, runtime] = [match[1] ?? null, name];
    }
    const bare: RegExpExecArray | null = containerId === null ? BARE_ID.exec(segment) : null;
    if (bare !== null) {
      containerId = bare[1] ?? null;
      runtime = segments.slice(0, i).some((s) => s.startsWith('docker')) ? 'docker' : 'unknown';
    }
  }
  let podUid: string | null = null;
  for (const segment of segments) {
    const match = POD_UID.exec(segment);
    if (match !== null) podUid = (match[1] ?? '').replaceAll('_', '-');
  }
  const kubepods = segments.some((s) => s.startsWith('kubepods'));
  const qosClass = !kubepods ? null
    : segments.some((s) => /(?:^|-)burstable(?:[-.:]|$)/.test(s)) ? 'Burstable'
    : segments.some((s) => /(?:^|-)besteffort(?:[-.:]|$)/.test(s)) ? 'BestEffort'
    : podUid !== null ? 'Guaranteed' : null;
  if (containerId === null && podUid === null) return null;
  return { containerId, runtime, podUid, qosClass };
}
