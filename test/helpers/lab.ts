/** Finds the kustody lab (test/lab: a real single-node Kubernetes on this machine) for tests that need a real API server. */
import type { TestContext } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { lacks, underCi } from './prerequisites.js';

/** Where `lab up` keeps its state; the same default and override as test/lab/lib/common.sh. */
export const LAB_DIR = process.env.KUSTODY_LAB_DIR ?? '/var/lib/kustody-lab';
/** The lab's command-line entry point (`npm run lab -- …` runs it). */
export const LAB_SCRIPT = new URL('../lab/lab.sh', import.meta.url).pathname;
/** Measured on the CI machine (2 cores, cold Go caches): see test/lab/README.md. */
const FIRST_BUILD = '~6 min';

/** A running lab: kubeconfigs for its two identities, the kubectl built for it, and its logs. */
export interface LabEnv {
  adminKubeconfig: string;
  responderKubeconfig: string;
  kubectl: string;
  logsDir: string;
  auditLog: string;
  nodeName: string;
}

let probe: Promise<LabEnv | null> | undefined;

/** The running lab, or null when none answers; probed once per test process. */
export function labEnv(): Promise<LabEnv | null> {
  probe ??= probeLab();
  return probe;
}

async function probeLab(): Promise<LabEnv | null> {
  const file = join(LAB_DIR, 'lab.json');
  if (!existsSync(file)) return null;
  const lab = JSON.parse(readFileSync(file, 'utf8')) as LabEnv;
  const ready = await execa(lab.kubectl, ['--kubeconfig', lab.adminKubeconfig, 'get', '--raw', '/readyz'], {
    reject: false,
    timeout: 10_000,
  });
  return ready.exitCode === 0 ? lab : null;
}

/**
 * Returns the lab for a test that needs one. When none answers, the test fails in CI (with the
 * lab's log tail, so a broken lab is never a silent skip) and is skipped elsewhere with how to start one.
 */
export async function requireLab(t: TestContext): Promise<LabEnv | null> {
  const lab = await labEnv();
  if (lab) return lab;
  const missing = underCi()
    ? `no lab answers (state dir ${LAB_DIR}). Last lab output:\n${labLogTail()}`
    : `no lab is up: run \`npm run lab -- up\` (first build takes ${FIRST_BUILD})`;
  lacks(t, missing);
  return null;
}

/** The last lines of the lab's own output and of the apiserver's log, for failure messages. */
export function labLogTail(lines = 30): string {
  const tail = (name: string, n: number): string => {
    const file = join(LAB_DIR, 'logs', name);
    if (!existsSync(file)) return `(${file} does not exist)`;
    return `==> ${file}\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n')}`;
  };
  return `${tail('up.log', lines)}\n${tail('kube-apiserver.log', 10)}`;
}

/** What one kubectl run printed and how it exited. */
export interface KubectlRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the lab's kubectl as `admin` (scenario setup only) or as kustody's `responder`; never throws on exit codes. */
export async function kubectl(
  lab: LabEnv,
  as: 'admin' | 'responder',
  args: readonly string[],
  options: { input?: string; timeout?: number } = {},
): Promise<KubectlRun> {
  const kubeconfig = as === 'admin' ? lab.adminKubeconfig : lab.responderKubeconfig;
  const run = await execa(lab.kubectl, ['--kubeconfig', kubeconfig, ...args], {
    reject: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    timeout: options.timeout ?? 60_000,
  });
  return { exitCode: run.exitCode ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** Applies one object as `admin`, retrying for up to 30 s while a new namespace's default ServiceAccount does not exist yet. */
export async function applyAsAdmin(lab: LabEnv, object: unknown): Promise<KubectlRun> {
  const input = JSON.stringify(object);
  let applied = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input });
  for (let i = 0; i < 30 && applied.exitCode !== 0; i += 1) {
    await new Promise((r) => setTimeout(r, 1000));
    applied = await kubectl(lab, 'admin', ['apply', '-f', '-'], { input });
  }
  return applied;
}

/** Applies a scenario from test/lab/scenarios (e.g. `shop`) into `namespace` and waits until its pods are Ready. */
export async function applyScenario(name: string, namespace: string): Promise<void> {
  const run = await execa('bash', [LAB_SCRIPT, 'scenario', name, namespace], { reject: false, timeout: 180_000 });
  if (run.exitCode !== 0) throw new Error(`lab scenario ${name} failed in ${namespace}:\n${run.stderr}`);
}

let collectorImage: Promise<string> | undefined;

/** kustody's collector image as the lab holds it (`lab.sh images` imports it from this checkout if missing), pinned by digest. */
export function labCollectorImage(): Promise<string> {
  collectorImage ??= execa('bash', [LAB_SCRIPT, 'images'], { reject: false, timeout: 120_000 }).then((run) => {
    const ref = run.stdout.trim();
    if (run.exitCode !== 0 || !/^lab\.local\/kustody-collector@sha256:[0-9a-f]{64}$/.test(ref)) throw new Error(`lab.sh images failed (exit ${run.exitCode}${run.timedOut ? ', timed out' : ''}): ${run.stdout}\n${run.stderr}`);
    return ref;
  });
  return collectorImage;
}
