// Decides, variable by variable, whether an environment entry holds a credential: first from the pod
// spec (SEC-1), then by the three nets of env-rules.ts (SEC-3). `redactEnviron` and
// `detectCredentials` both decide through here, so what is fingerprinted is exactly what is redacted.
import type { JsonValue } from '../custody/canonical-json.js';
import { isBenignName, kindFromName, looksRandom, matchValuePattern, MAX_SCANNED_CHARS } from './env-rules.js';
import { findContainer, listOf, textOf, type PodSpecLike } from './pod-spec.js';
import type { CredentialKind, EnvPair } from './types.js';

/** Which source or net made a variable a credential. */
export type EnvRule = 'secret-key-ref' | 'env-from' | 'name' | 'value-pattern' | 'entropy' | 'oversize' | 'secret-name';

/** Why a variable counts as a credential, with the non-secret facts kept in `claims_json`. */
export interface EnvVerdict {
  readonly kind: CredentialKind;
  readonly rule: EnvRule;
  readonly facts: Readonly<Record<string, JsonValue>>;
}

/** What the pod spec says about one container's variables. */
export interface EnvSources {
  /** Variables declared with `valueFrom.secretKeyRef`, with the Secret and key they come from. */
  readonly secretKeyRefs: ReadonlyMap<string, { readonly secret: string | null; readonly key: string | null }>;
  /** Every variable the container's `env` declares, which therefore does not come from `envFrom`. */
  readonly declared: ReadonlySet<string>;
  /** The `envFrom` Secrets, each with the prefix its keys get. */
  readonly envFromSecrets: readonly { readonly secret: string | null; readonly prefix: string }[];
}

/** Collects what the pod spec says about the named container's variables; an unknown container gives empty sources. */
export function envSources(spec: PodSpecLike | undefined, containerName: string | undefined): EnvSources {
  const container = containerName === undefined ? undefined : findContainer(spec, containerName);
  const secretKeyRefs = new Map<string, { secret: string | null; key: string | null }>();
  const declared = new Set<string>();
  for (const variable of listOf(container?.env)) {
    const name = textOf(variable?.name);
    if (name === undefined) continue;
    declared.add(name);
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref !== undefined && ref !== null) secretKeyRefs.set(name, { secret: textOf(ref.name) ?? null, key: textOf(ref.key) ?? null });
  }
  const envFromSecrets = listOf(container?.envFrom)
    .filter((source) => source?.secretRef !== undefined && source.secretRef !== null)
    .map((source) => ({ secret: textOf(source.secretRef?.name) ?? null, prefix: textOf(source.prefix) ?? '' }));
  return { secretKeyRefs, declared, envFromSecrets };
}

/** Decodes an environment value for the text nets; invalid UTF-8 becomes U+FFFD, which matches no pattern. */
export function envText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : new TextDecoder('utf-8').decode(value);
}

/** Classifies one variable, or returns null when nothing marks it as a credential. */
export function classifyEnv(name: string, value: string | Uint8Array | null, sources: EnvSources): EnvVerdict | null {
  const ref = sources.secretKeyRefs.get(name);
  if (ref !== undefined) return { kind: 'secret-env', rule: 'secret-key-ref', facts: { secret: ref.secret, key: ref.key } };
  if (value === null) return null;
  const text = envText(value);
  if (text.length > MAX_SCANNED_CHARS) return { kind: 'env-credential', rule: 'oversize', facts: { chars: text.length } };
  const byName = kindFromName(name);
  if (byName !== null) return { kind: byName, rule: 'name', facts: {} };
  const fromSecrets = sources.declared.has(name) || isBenignName(name)
    ? []
    : sources.envFromSecrets.filter((source) => name.startsWith(source.prefix));
  if (fromSecrets.length > 0) {
    // envFrom copies every key of the Secret, which kustody does not read: any undeclared variable may be one.
    const secrets = [...new Set(fromSecrets.map((source) => source.secret))];
    return { kind: 'secret-env', rule: 'env-from', facts: { secrets, certain: false } };
  }
  const pattern = matchValuePattern(text);
  if (pattern !== null) {
    const kind = pattern === 'aws-access-key-id' ? 'cloud-credential-env' : 'env-credential';
    return { kind, rule: 'value-pattern', facts: { pattern } };
  }
  if (!isBenignName(name) && looksRandom(text)) return { kind: 'env-credential', rule: 'entropy', facts: {} };
  return null;
}

/** Tells whether a variable's name itself looks like a secret (a token pasted where a name should be). */
export function nameLooksSecret(name: string): boolean {
  return name.length > MAX_SCANNED_CHARS || matchValuePattern(name) !== null || looksRandom(name);
}

/** A credential found in one environment entry: why, where (`env:NAME`), and which bytes to fingerprint. */
export interface EnvFinding {
  readonly verdict: EnvVerdict;
  readonly location: string;
  /** False when the name itself looks like a secret: then the location and stored name say `[entry N]` instead. */
  readonly nameShown: boolean;
  /** The secret to fingerprint: the value, or the whole entry when the name itself is the secret. */
  readonly secret: string | Uint8Array;
}

/** Finds the credential in the `index`-th environment entry, or returns null when it holds none. */
export function findEnvCredential(pair: EnvPair, index: number, sources: EnvSources): EnvFinding | null {
  if (nameLooksSecret(pair.name)) {
    const secret = pair.value === null ? pair.name : joinEntry(pair.name, pair.value);
    return { verdict: { kind: 'env-credential', rule: 'secret-name', facts: {} }, location: `env:[entry ${index}]`, nameShown: false, secret };
  }
  const verdict = classifyEnv(pair.name, pair.value, sources);
  if (verdict === null || pair.value === null) return null;
  return { verdict, location: `env:${pair.name}`, nameShown: true, secret: pair.value };
}

function joinEntry(name: string, value: string | Uint8Array): string | Uint8Array {
  if (typeof value === 'string') return `${name}=${value}`;
  const head = new TextEncoder().encode(`${name}=`);
  const out = new Uint8Array(head.length + value.length);
  out.set(head);
  out.set(value, head.length);
  return out;
}
