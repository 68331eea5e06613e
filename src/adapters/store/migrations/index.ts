/** The ordered, append-only list of schema migrations; `PRAGMA user_version` is the last applied id. */
import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-capture-columns.js';
import { migration0003 } from './0003-audit-events.js';
import { migration0004 } from './0004-custody-child-indexes.js';

/** One numbered schema change. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** Every migration kustody knows, in the order they apply. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004];

/** The schema version a case written by this build has. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
