// Short, escaped summaries of the JSON stored beside evidence: a credential's decoded claims and an
// object's labels, annotations and owners. Keys are as hostile as values; pure, no I/O.
import { isJsonObject, parseBoundedJson } from '../credentials/bounded-json.js';
import { display, escapeUntrusted, trusted } from '../display/index.js';
import { detailValue, type DetailLine } from './browser-table.js';
import { epochSecondsText } from './time-text.js';

/** JWT claims holding seconds since the epoch, shown as ISO times. */
const TIME_CLAIMS = /(^|\.)(exp|iat|nbf|warnafter)$/;

const LIMITS = { maxChars: 4 * 1024 * 1024, maxDepth: 64 } as const;
const MAX_LINES = 40;

function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? '';
}

function flatten(value: unknown, path: string, out: [string, string][], now: number | undefined): void {
  if (out.length >= MAX_LINES) return;
  if (isJsonObject(value)) {
    for (const key of Object.keys(value)) flatten(value[key], path === '' ? key : `${path}.${key}`, out, now);
    return;
  }
  const time = now !== undefined && TIME_CLAIMS.test(path) ? epochSecondsText(value, now) : null;
  out.push([path, time ?? (Array.isArray(value) ? value.map(scalar).join(', ') : scalar(value))]);
}

/**
 * Lists a credential's decoded claims (`jwt.jti`, `jwt.aud`, …) as detail lines; the claims are
 * what capture kept, never the credential itself. With `now`, exp/iat/nbf show as ISO times and how
 * far they are from now.
 *
 * @example claimLines('{"jwt":{"jti":"abc"}}') // [{label: 'claim jwt.jti', value: 'abc'}]
 */
export function claimLines(claimsJson: string | null, now?: number): DetailLine[] {
  if (claimsJson === null) return [];
  const parsed = parseBoundedJson(claimsJson, LIMITS);
  if (!parsed.ok) return [{ label: trusted('claims'), value: escapeUntrusted(`(not shown: ${parsed.reason})`) }];
  const flat: [string, string][] = [];
  flatten(parsed.value, '', flat, now);
  return flat.map(([key, value]) => ({ label: display`claim ${escapeUntrusted(key, { maxColumns: 60 })}`, value: detailValue(value) }));
}

function entries(record: unknown): [string, string][] {
  if (!isJsonObject(record)) return [];
  return Object.keys(record).map((key) => [key, scalar(record[key])]);
}

/**
 * Lists an object's labels, annotations, owners, ServiceAccount and node as detail lines, the
 * places where a workload's own text (and so an attacker's) shows up in its Kubernetes objects.
 *
 * @example metadataLines('{"metadata":{"labels":{"app":"web"}}}') // [{label: 'label app', value: 'web'}]
 */
export function metadataLines(json: string): DetailLine[] {
  const parsed = parseBoundedJson(json, LIMITS);
  if (!parsed.ok || !isJsonObject(parsed.value)) return [{ label: trusted('object'), value: escapeUntrusted(`(not shown: ${parsed.ok ? 'not an object' : parsed.reason})`) }];
  const object = parsed.value;
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  const spec = isJsonObject(object.spec) ? object.spec : {};
  const out: DetailLine[] = [];
  for (const [key, value] of entries(metadata.labels)) out.push({ label: display`label ${escapeUntrusted(key, { maxColumns: 60 })}`, value: detailValue(value) });
  for (const [key, value] of entries(metadata.annotations)) out.push({ label: display`annotation ${escapeUntrusted(key, { maxColumns: 60 })}`, value: detailValue(value) });
  if (Array.isArray(metadata.ownerReferences)) {
    for (const owner of metadata.ownerReferences) {
      if (isJsonObject(owner)) out.push({ label: trusted('owner'), value: detailValue(`${scalar(owner.kind)}/${scalar(owner.name)}`) });
    }
  }
  if (typeof spec.serviceAccountName === 'string') out.push({ label: trusted('serviceAccountName'), value: detailValue(spec.serviceAccountName) });
  if (typeof spec.nodeName === 'string') out.push({ label: trusted('nodeName'), value: detailValue(spec.nodeName) });
  if (typeof object.message === 'string') out.push({ label: trusted('message'), value: detailValue(object.message) });
  return out.slice(0, MAX_LINES);
}
