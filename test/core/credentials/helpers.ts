import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PodSpecLike } from '../../../src/core/credentials/index.js';

/** Runs per fast-check property; CI raises it through KUSTODY_FC_RUNS. */
export const FC_RUNS = Number(process.env.KUSTODY_FC_RUNS ?? 2000);

/** A fixed 32-byte case key, so fingerprints in failure messages are stable between runs. */
export const CASE_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 0xff);

/** A second case key, for showing that fingerprints depend on the key. */
export const OTHER_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + 5) & 0xff);

let signingKey: KeyObject | undefined;

/** Signs a JWT with RS256 using a 2048-bit RSA key made once per test process, as the API server does. */
export function makeJwt(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'Zb5mM8tYq0sCq1pXj3N2kD4fG6hJ8lQ0wE2rT4yU6iO' }): string {
  signingKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const head = Buffer.from(JSON.stringify(header)).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), signingKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/** The times of a projected token issued at `iat` for an hour (3607 s, as the kubelet asks). */
export const ISSUED_AT = 1_764_216_699; // 2025-11-27T04:11:39Z

/** The payload of a projected ServiceAccount token bound to the fixture pod. */
export function projectedTokenPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: ['https://kubernetes.default.svc.cluster.local'],
    exp: ISSUED_AT + 3607,
    iat: ISSUED_AT,
    iss: 'https://oidc.eks.eu-west-1.amazonaws.com/id/5C3F8A0E1B2D4C6E8F0A2B4C6D8E0F1A',
    jti: '0f9e8d7c-6b5a-4948-8372-6150e4d3c2b1',
    'kubernetes.io': {
      namespace: 'shop',
      node: { name: 'ip-10-0-12-34.eu-west-1.compute.internal', uid: '2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a' },
      pod: { name: 'web-7d9f8b6c5-x2x7k', uid: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b' },
      serviceaccount: { name: 'web', uid: '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d' },
      warnafter: ISSUED_AT + 3600,
    },
    nbf: ISSUED_AT,
    sub: 'system:serviceaccount:shop:web',
    ...overrides,
  };
}

/** The fixture pod's JSON, as `kubectl get pod -o json` prints it. */
export function fixturePod(): { metadata: { namespace: string }; spec: PodSpecLike } {
  const path = fileURLToPath(new URL('../../fixtures/pods/shop-web.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as { metadata: { namespace: string }; spec: PodSpecLike };
}

/** A fresh canary: unique, and tagged so a leak is easy to recognise in a hex dump. */
export function canary(tag: string): string {
  return `kustody-canary-${tag}-${randomBytes(12).toString('hex')}`;
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
