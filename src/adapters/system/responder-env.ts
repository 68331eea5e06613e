/** Facts about the responder's machine that go into the custody log: who, where, and when. */
import { hostname, userInfo } from 'node:os';

/** Who is acting and on which machine, as recorded in each custody row. */
export interface ResponderIdentity {
  host: string;
  osUser: string;
}

/** Reads the OS user and host name of the process running kustody. */
export function readResponderIdentity(): ResponderIdentity {
  let osUser: string;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = `uid:${process.getuid?.() ?? 'unknown'}`;
  }
  return { host: hostname(), osUser };
}

/** The current time as UTC ISO-8601 with milliseconds, the only time format kustody stores. */
export function utcNow(): string {
  return new Date().toISOString();
}
