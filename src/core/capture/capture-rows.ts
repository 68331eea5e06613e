/** The rows capture writes into the public tables (docs/evidence-schema.md), before storage. */

/** One row of `processes`. */
export interface ProcessRow {
  pid: number;
  ppid: number | null;
  uid: number | null;
  gid: number | null;
  comm: string | null;
  cmdline: string | null;
  argv_json: string | null;
  exe: string | null;
  exe_sha256: string | null;
  exe_deleted: number | null;
  cwd: string | null;
  root: string | null;
  start_time: bigint | null;
  state: string | null;
  cap_eff: string | null;
  cap_prm: string | null;
  cap_bnd: string | null;
  no_new_privs: number | null;
  seccomp: number | null;
  container_id: string | null;
  pod_uid: string | null;
  nspid_json: string | null;
  net_ns: string | null;
  mnt_ns: string | null;
  pid_ns: string | null;
  env_json: string | null;
  warnings_json: string;
}

/** One row of `connections`. */
export interface ConnectionRow {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix';
  local_addr: string | null;
  local_port: number | null;
  remote_addr: string | null;
  remote_port: number | null;
  state: string;
  inode: bigint;
  pid: number | null;
  fd: number | null;
  net_ns: string;
  uid: number | null;
}

/** One row of `mounts`. */
export interface MountRow {
  pid: number;
  mount_point: string;
  fs_type: string;
  source: string;
  options: string;
  flagged: string | null;
  root: string;
  mnt_ns: string | null;
  super_options: string;
}

/** A problem met while building rows, kept on record with the capture. */
export interface CaptureWarning {
  pid: number | null;
  code: string;
  message: string;
}

/** One row of `credentials`: where a credential was seen, its keyed fingerprint and non-secret claims, never its value. */
export interface CredentialRow {
  kind: string;
  location: string;
  subject: string | null;
  fingerprint: string;
  expires_at: string | null;
  claims_json: string | null;
  pid: number | null;
}
