/**
 * Makes `mounts` rows, once per mount namespace, and flags the mounts a responder must look at:
 * ServiceAccount tokens, Secrets, container-runtime sockets and host paths.
 */
import { parseMountInfo, type MountInfoEntry } from '../evidence/parsers/index.js';
import type { CaptureWarning, MountRow } from './capture-rows.js';
import type { RawFile } from './raw-capture.js';

const DISK_FS = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'zfs', 'vfat', 'f2fs']);
const RUNTIME_SOCKET = /(^|\/)(containerd|docker|crio|cri-dockerd|dockershim|podman)\.sock$|^\/run\/containerd(\/|$)|^\/var\/run\/docker/;
const SA_TOKEN_DIR = /\/run\/secrets\/kubernetes\.io\/serviceaccount\/?$/;

/** Builds the rows of one mount namespace, read through process `pid`. */
export function buildMountRows(pid: number, mntNs: string | null, file: RawFile): { rows: MountRow[]; warnings: CaptureWarning[] } {
  if (file.error !== undefined) return { rows: [], warnings: [{ pid, code: 'READ_FAILED', message: `mountinfo: ${file.error}` }] };
  const parsed = parseMountInfo(file.bytes);
  const rows = parsed.mounts.map((m) => ({
    pid,
    mount_point: m.mountPoint.text,
    fs_type: m.fsType.text,
    source: m.source.text,
    options: m.mountOptions.join(','),
    flagged: flagsFor(m),
    root: m.root.text,
    mnt_ns: mntNs,
    super_options: m.superOptions.text,
  }));
  return { rows, warnings: parsed.warnings.map((w) => ({ pid, code: w.code, message: `mountinfo: ${w.message}` })) };
}

/** The reasons a mount matters to a responder, comma-separated, or null. */
export function flagsFor(mount: Pick<MountInfoEntry, 'mountPoint' | 'root' | 'fsType'>): string | null {
  const point = mount.mountPoint.text;
  const root = mount.root.text;
  const fsType = mount.fsType.text;
  const flags: string[] = [];
  if (SA_TOKEN_DIR.test(point) || root.includes('/volumes/kubernetes.io~projected/')) flags.push('serviceaccount-token');
  if (root.includes('/volumes/kubernetes.io~secret/')) flags.push('secret');
  if (RUNTIME_SOCKET.test(point) || RUNTIME_SOCKET.test(root)) flags.push('runtime-socket');
  const kubeletManaged = root.startsWith('/var/lib/kubelet/pods/') || root.startsWith('/var/lib/containerd/') || root.startsWith('/var/lib/docker/');
  if (DISK_FS.has(fsType) && !kubeletManaged) flags.push('host-path');
  return flags.length === 0 ? null : flags.join(',');
}
