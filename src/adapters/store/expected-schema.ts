/** The exact schema a kustody case of a given version has, rebuilt from the migrations, to compare untrusted databases against. */
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';

/** One row of sqlite_master, as compared. */
export interface SchemaObject {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

const SCHEMA_QUERY = 'SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name';

/** Builds, in memory, the schema that migrations 1..version produce. */
export function expectedSchema(version: number): SchemaObject[] {
  const db = new Database(':memory:');
  try {
    for (const migration of MIGRATIONS) if (migration.id <= version) db.exec(migration.sql);
    return db.prepare(SCHEMA_QUERY).all() as SchemaObject[];
  } finally {
    db.close();
  }
}

/** Reads a database's schema rows without running any of its code. */
export function readSchema(db: Database.Database): SchemaObject[] {
  return db.prepare(SCHEMA_QUERY).all() as SchemaObject[];
}

/** Describes how `actual` differs from `expected`, or returns null when they are the same. */
export function schemaDifference(expected: SchemaObject[], actual: SchemaObject[]): string | null {
  const key = (o: SchemaObject) => `${o.type} ${o.name}`;
  const want = new Map(expected.map((o) => [key(o), o]));
  for (const object of actual) {
    const match = want.get(key(object));
    if (match === undefined) return `evidence.db holds ${object.type === 'index' ? 'an' : 'a'} ${object.type} "${object.name.slice(0, 80)}" that kustody never creates`;
    if (match.sql !== object.sql || match.tbl_name !== object.tbl_name) return `the definition of ${object.type} "${object.name}" in evidence.db was changed`;
    want.delete(key(object));
  }
  const missing = [...want.values()][0];
  return missing === undefined ? null : `evidence.db lacks the ${missing.type} "${missing.name}"`;
}
