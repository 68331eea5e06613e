/**
 * Migration 2: the columns capture adds beside the public ones of migration 1 (names kept, columns
 * added freely), and a table for what a capture could not read or parse.
 */
export const migration0002 = {
  id: 2,
  name: 'capture-columns',
  sql: `
ALTER TABLE processes ADD COLUMN argv_json TEXT;
ALTER TABLE processes ADD COLUMN root TEXT;
ALTER TABLE processes ADD COLUMN cap_prm TEXT;
ALTER TABLE processes ADD COLUMN cap_bnd TEXT;
ALTER TABLE processes ADD COLUMN no_new_privs INTEGER;
ALTER TABLE processes ADD COLUMN pod_uid TEXT;
ALTER TABLE processes ADD COLUMN nspid_json TEXT;
ALTER TABLE processes ADD COLUMN net_ns TEXT;
ALTER TABLE processes ADD COLUMN mnt_ns TEXT;
ALTER TABLE processes ADD COLUMN pid_ns TEXT;
ALTER TABLE processes ADD COLUMN env_json TEXT;
ALTER TABLE processes ADD COLUMN warnings_json TEXT;
ALTER TABLE connections ADD COLUMN fd INTEGER;
ALTER TABLE connections ADD COLUMN net_ns TEXT;
ALTER TABLE connections ADD COLUMN uid INTEGER;
ALTER TABLE mounts ADD COLUMN root TEXT;
ALTER TABLE mounts ADD COLUMN mnt_ns TEXT;
ALTER TABLE mounts ADD COLUMN super_options TEXT;
CREATE TABLE capture_warnings (
  capture_id TEXT NOT NULL,
  target TEXT NOT NULL,
  step TEXT NOT NULL,
  pid INTEGER,
  code TEXT NOT NULL,
  message TEXT NOT NULL
) STRICT;
`,
} as const;
