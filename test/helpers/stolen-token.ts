/**
 * The attacker's side of the shop scenario's stolen-token story on the lab, shared by the playbook lab
 * tests: the team grants the suspect's ServiceAccount (`web`) admin in its namespace, the attacker copies
 * the suspect pod's token and uses it with the lab's kubectl from the node (another address and user agent
 * than the pod's), and the lab's audit log of the test's window is read for kustody and for jq, the judge.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { decodeJwtClaims } from '../../src/core/credentials/jwt-claims.js';
import { kubectl, type KubectlRun, type LabEnv } from './lab.js';
import { labAuditFiles } from './audit.js';

/** How long a wait for RBAC or for the audit log may take at most: only a wedged lab takes this long. */
const WAIT_LIMIT_MS = 120_000;

/** A token the attacker holds, and kubectl as that token in the scenario's namespace. */
export interface HeldToken {
  token: string;
  /** Its credential id as the audit log records it (`JTI=…`). */
  credential: string;
  /** Runs the lab's kubectl as this token in the namespace (with `input` on its stdin), whatever its exit status. */
  kubectl: (args: readonly string[], input?: string) => Promise<KubectlRun>;
  /** The same, asserting that it succeeds (or, with `ok` false, that the API server refuses it). */
  as: (args: readonly string[], ok?: boolean, input?: string) => Promise<KubectlRun>;
}

/** The stolen token of the suspect pod, and the uid of the team's legitimate grant made in the same window. */
export interface StolenToken extends HeldToken {
  jti: string;
  teamGrantUid: string;
}

/** Grants `web` admin in `ns` (the team's change), copies the suspect's token from `path` in the pod, and waits (bounded) until RBAC lets it create RoleBindings. */
export async function stealSuspectToken(lab: LabEnv, dir: string, ns: string, path: string): Promise<StolenToken> {
  const grant = await kubectl(lab, 'admin', ['create', 'rolebinding', 'team-grant', '-n', ns, '--clusterrole=admin', `--serviceaccount=${ns}:web`]);
  assert.equal(grant.exitCode, 0, grant.stderr);
  const teamGrantUid = (await kubectl(lab, 'admin', ['get', 'rolebinding', 'team-grant', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();
  const token = (await kubectl(lab, 'admin', ['exec', '-n', ns, 'suspect', '--', 'cat', path])).stdout.trim();
  const held = await holdToken(lab, dir, ns, token, 'stolen');
  await waitUntilAllowed(held, ['create', 'rolebindings']);
  return { ...held, jti: held.credential.slice('JTI='.length), teamGrantUid };
}

/** kubectl as `token` in `ns`, through a kubeconfig of its own in `dir` (named after `name`). */
export async function holdToken(lab: LabEnv, dir: string, ns: string, token: string, name: string): Promise<HeldToken> {
  const jti = decodeJwtClaims(token).claims?.jti ?? assert.fail(`the lab token ${name} has no jti`);
  const admin = JSON.parse((await kubectl(lab, 'admin', ['config', 'view', '--raw', '-o', 'json'])).stdout) as { clusters: Array<{ cluster: Record<string, string> }> };
  const config = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'lab', cluster: admin.clusters[0]?.cluster ?? {} }], users: [{ name, user: { token } }], contexts: [{ name, context: { cluster: 'lab', user: name } }], 'current-context': name };
  const kubeconfig = join(dir, `${name}.kubeconfig`);
  writeFileSync(kubeconfig, JSON.stringify(config), { mode: 0o600 });
  const run = (args: readonly string[], input?: string) => kubectl(lab, 'admin', ['--kubeconfig', kubeconfig, '-n', ns, ...args], input === undefined ? {} : { input });
  const as = async (args: readonly string[], ok = true, input?: string) => {
    const done = await run(args, input);
    assert.equal(done.exitCode === 0, ok, `as ${name}: kubectl ${args.join(' ')}: ${done.stderr}`);
    return done;
  };
  return { token, credential: `JTI=${jti}`, kubectl: run, as };
}

/** Waits (bounded) until the token may `verb resource`: RBAC reaches the authorizer's cache within a second or two. */
export async function waitUntilAllowed(held: HeldToken, [verb, resource]: [string, string]): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while ((await held.kubectl(['auth', 'can-i', verb, resource])).stdout.trim() !== 'yes') {
    assert.ok(Date.now() < deadline, `RBAC never let the token ${verb} ${resource}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Sends a marker request as `held` (a ConfigMap that does not exist) and waits (bounded) until the lab's
 * audit log holds its completed event and each `resource/name` created in `ns`: the log files (rotated
 * ones since `sinceMs`, then the live one) then hold every request of the test before it.
 */
export async function auditLogThrough(lab: LabEnv, sinceMs: number, held: HeldToken, ns: string, creates: readonly string[]): Promise<string[]> {
  const marker = `marker-${randomBytes(4).toString('hex')}`;
  await held.as(['get', 'configmap', marker, '--ignore-not-found']);
  const wanted = [`get configmaps/${marker}`, ...creates.map((c) => `create ${c}`)];
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const files = labAuditFiles(lab, sinceMs);
    const found = await execa('grep', ['-h', '-F', `"namespace":"${ns}"`, ...files], { reject: false, maxBuffer: 256 * 1024 * 1024 });
    const seen = new Set<string>();
    for (const line of found.stdout.split('\n')) {
      try {
        const e = JSON.parse(line) as { stage?: string; verb?: string; objectRef?: { resource?: string; name?: string; subresource?: string } };
        if (e.stage === 'ResponseComplete' && e.objectRef?.subresource === undefined) seen.add(`${e.verb} ${e.objectRef?.resource}/${e.objectRef?.name}`);
      } catch {
        continue; // a line still being written: the next poll reads it whole
      }
    }
    const missing = wanted.filter((w) => !seen.has(w));
    if (missing.length === 0) return files;
    assert.ok(Date.now() < deadline, `the lab's audit log never showed ${missing.join(', ')} in ${ns}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
