/**
 * The bundle's fixed layout and its manifest. Member names are kustody's own constants; nothing
 * from evidence ever becomes a member name.
 */
import { canonicalJson } from '../custody/canonical-json.js';

/** Format tag of manifest.json; a verifier refuses any other. */
export const BUNDLE_FORMAT = 'kustody-bundle-v1';

/** The members a bundle may hold, in the order they are written. */
export const BUNDLE_MEMBERS = {
  db: 'evidence.db',
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  sums: 'SHA256SUMS',
} as const;

/** Size limits a verifier enforces on the small members before reading them. */
export const SMALL_MEMBER_LIMITS: Readonly<Record<string, number>> = {
  [BUNDLE_MEMBERS.manifest]: 1024 * 1024,
  [BUNDLE_MEMBERS.signature]: 64,
  [BUNDLE_MEMBERS.sums]: 64 * 1024,
};

/** One member listed in the manifest. */
export interface ManifestMember {
  name: string;
  size: number;
  sha256: string;
}

/** manifest.json: what the bundle is, and the hashes that bind it together. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  case: { id: string; title: string; created_at: string };
  tool: { name: string; version: string };
  sqlite_version: string;
  schema_version: number;
  counts: Record<string, number>;
  custody: { actions: number; head_seq: number; head_hash: string };
  members: ManifestMember[];
}

/** Encodes the manifest as canonical JSON plus a newline, so the same case always gives the same bytes. */
export function encodeManifest(manifest: BundleManifest): Buffer {
  return Buffer.from(`${canonicalJson(manifest)}\n`, 'utf8');
}

/** Builds SHA256SUMS in the format `sha256sum -c` reads: "<hex>  <name>\n" per member. */
export function encodeSha256Sums(entries: readonly { name: string; sha256: string }[]): Buffer {
  const lines = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => `${e.sha256}  ${e.name}\n`);
  return Buffer.from(lines.join(''), 'utf8');
}

/** Parses SHA256SUMS strictly; returns null when any line is not "<64 hex>  <name>". */
export function parseSha256Sums(text: string): Map<string, string> | null {
  const sums = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.pop() !== '') return null;
  for (const line of lines) {
    const match = /^([0-9a-f]{64}) {2}([A-Za-z0-9._-]+)$/.exec(line);
    if (match === null || match[1] === undefined || match[2] === undefined || sums.has(match[2])) return null;
    sums.set(match[2], match[1]);
  }
  return sums;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Checks an untrusted manifest's shape; returns the problem, or null when it is well formed. */
export function manifestProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'manifest.json is not a JSON object';
  if (value.format !== BUNDLE_FORMAT) return `manifest.json has format ${JSON.stringify(value.format)}, expected ${BUNDLE_FORMAT}`;
  const caseInfo = value.case;
  if (!isRecord(caseInfo) || typeof caseInfo.id !== 'string' || typeof caseInfo.created_at !== 'string') return 'manifest.json has no valid case section';
  const custody = value.custody;
  if (!isRecord(custody) || !Number.isSafeInteger(custody.actions) || !Number.isSafeInteger(custody.head_seq) || typeof custody.head_hash !== 'string' || !HEX64.test(custody.head_hash)) {
    return 'manifest.json has no valid custody section';
  }
  if (!isRecord(value.counts) || !Object.values(value.counts).every((n) => Number.isSafeInteger(n))) return 'manifest.json has no valid counts';
  if (!Array.isArray(value.members)) return 'manifest.json lists no members';
  for (const member of value.members) {
    if (!isRecord(member) || typeof member.name !== 'string' || !Number.isSafeInteger(member.size) || typeof member.sha256 !== 'string' || !HEX64.test(member.sha256)) {
      return 'manifest.json has a malformed member entry';
    }
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
