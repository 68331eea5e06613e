/**
 * Migration 1: the case, the custody log, raw artifacts, and the tables capture fills.
 * Append-only: never edit a shipped migration; add the next number instead.
 */
export const migration0001 = {
  id: 1,
  name: 'initial',
  sql: `
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  created_at TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  sqlite_version TEXT NOT NULL,
  host TEXT NOT NULL,
  os_user TEXT NOT NULL,
  clock_note TEXT NOT NULL
) STRICT;

CREATE TABLE actions (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  outcome TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  media_type TEXT NOT NULL,
  source TEXT NOT NULL,
  vantage TEXT NOT NULL,
  collected_at TEXT NOT NULL,
  capture_id TEXT,
  truncated INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  action_seq INTEGER NOT NULL REFERENCES actions(seq),
  content BLOB
) STRICT;
CREATE INDEX artifacts_by_sha256 ON artifacts(sha256);

CREATE TABLE captures (
  capture_id TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  vantage TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;

CREATE TABLE processes (
  capture_id TEXT NOT NULL,
  target TEXT NOT NULL,
  pid INTEGER NOT NULL,
  ppid INTEGER,
  uid INTEGER,
  gid INTEGER,
  comm TEXT,
  cmdline TEXT,
  exe TEXT,
  exe_sha256 TEXT,
  exe_deleted INTEGER,
  cwd TEXT,
  start_time INTEGER,
  state TEXT,
  cap_eff TEXT,
  seccomp INTEGER,
  container_id TEXT
) STRICT;

CREATE TABLE connections (
  capture_id TEXT NOT NULL,
  target TEXT NOT NULL,
  proto TEXT NOT NULL,
  local_addr TEXT,
  local_port INTEGER,
  remote_addr TEXT,
  remote_port INTEGER,
  state TEXT,
  inode INTEGER,
  pid INTEGER
) STRICT;

CREATE TABLE mounts (
  capture_id TEXT NOT NULL,
  target TEXT NOT NULL,
  pid INTEGER,
  mount_point TEXT NOT NULL,
  fs_type TEXT,
  source TEXT,
  options TEXT,
  flagged TEXT
) STRICT;

CREATE TABLE credentials (
  capture_id TEXT NOT NULL,
  target TEXT NOT NULL,
  kind TEXT NOT NULL,
  location TEXT NOT NULL,
  subject TEXT,
  fingerprint TEXT NOT NULL,
  expires_at TEXT,
  claims_json TEXT,
  pid INTEGER
) STRICT;

CREATE TABLE k8s_objects (
  capture_id TEXT NOT NULL,
  target TEXT NOT NULL,
  kind TEXT NOT NULL,
  namespace TEXT,
  name TEXT NOT NULL,
  uid TEXT,
  resource_version TEXT,
  json TEXT NOT NULL
) STRICT;
`,
} as const;
