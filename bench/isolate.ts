/**
 * bench:isolate — isolates the lab's web pod with kustody and with a script of kubectl commands making
 * the same changes (label + deny-all NetworkPolicy, then reading both back), in one run.
 * Reported: kustody's confirmation-to-verified time (what the responder waits for after confirming),
 * kustody's whole plan-to-verified time in-process, the `kustody isolate --yes` command end to end, and
 * the kubectl script end to end. Target (issue 5): verified in under 1 s, at least 3× faster than kubectl.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connectKube } from '../src/adapters/kube/kube-client.js';
import { readIsolationFacts } from '../src/adapters/kube/isolation-facts.js';
import { planIsolation, QUARANTINE_LABEL } from '../src/core/contain/plan-isolation.js';
import { applyPlan } from '../src/runner/apply-plan.js';
import { changePorts, openChangeSession } from '../src/commands/change-support.js';
import { KUSTODY_BIN, makeTempDir, newCase } from '../test/helpers/cli.js';
import { LAB_DIR, LAB_SCRIPT } from '../test/helpers/lab.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const lab = JSON.parse(readFileSync(`${LAB_DIR}/lab.json`, 'utf8')) as { kubectl: string; adminKubeconfig: string; responderKubeconfig: string };
const kubectl = (args: string[], input?: string) => execFileSync(lab.kubectl, ['--kubeconfig', lab.responderKubeconfig, ...args], { encoding: 'utf8', input });
const admin = (args: string[]) => execFileSync(lab.kubectl, ['--kubeconfig', lab.adminKubeconfig, ...args], { encoding: 'utf8' });
const ns = `bench-iso-${Math.random().toString(36).slice(2, 7)}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

execFileSync('bash', [LAB_SCRIPT, 'scenario', 'shop', ns], { stdio: 'ignore' });
const { dir, cleanup } = makeTempDir('kustody-bench-isolate-');
try {
  const web = admin(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}']).trim();
  const created = await newCase(dir);
  const kube = await connectKube({ kubeconfig: lab.responderKubeconfig });
  const session = await openChangeSession(created.path, kube, {});
  const confirmToVerified: number[] = [];
  const planToVerified: number[] = [];
  const cli: number[] = [];
  const script: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = performance.now();
    let confirmedAt = 0;
    const facts = await readIsolationFacts(kube, session.caseId, ns, web, session.kubeUser, { readNode: false });
    const plan = planIsolation(facts, { detach: false, cordon: false, guard: false });
    const ports = changePorts(kube, session, true);
    const result = await applyPlan(plan, { ...ports, confirm: async () => ((confirmedAt = performance.now()), true) }, { dryRun: false });
    const end = performance.now();
    if (result.status !== 'applied') throw new Error(`isolation did not apply: ${JSON.stringify(result)}`);
    confirmToVerified.push(end - confirmedAt);
    planToVerified.push(end - start);
    admin(['delete', 'networkpolicy', '-n', ns, '--all']);
    admin(['label', 'pod', '-n', ns, web, `${QUARANTINE_LABEL}-`]);

    const t0 = performance.now();
    execFileSync(process.execPath, [KUSTODY_BIN, 'isolate', `${ns}/${web}`, '--case', created.path, '--yes'], { env: { ...process.env, KUBECONFIG: lab.responderKubeconfig }, stdio: 'ignore' });
    cli.push(performance.now() - t0);
    admin(['delete', 'networkpolicy', '-n', ns, '--all']);
    admin(['label', 'pod', '-n', ns, web, `${QUARANTINE_LABEL}-`]);

    const t1 = performance.now();
    kubectl(['label', 'pod', '-n', ns, web, `${QUARANTINE_LABEL}=bench`]);
    kubectl(['create', '--validate=false', '-f', '-'], JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bench-quarantine', namespace: ns }, spec: { podSelector: { matchLabels: { [QUARANTINE_LABEL]: 'bench' } }, policyTypes: ['Ingress', 'Egress'] } }));
    kubectl(['get', 'pod', '-n', ns, web, '-o', 'jsonpath={.metadata.labels}']);
    kubectl(['get', 'networkpolicy', '-n', ns, 'bench-quarantine', '-o', 'name']);
    script.push(performance.now() - t1);
    admin(['delete', 'networkpolicy', '-n', ns, '--all']);
    admin(['label', 'pod', '-n', ns, web, `${QUARANTINE_LABEL}-`]);
  }
  session.close();
  const fmt = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;
  console.log(`bench:isolate  ${ROUNDS} rounds on the lab, medians (label + deny-all NetworkPolicy, read back)`);
  console.log(`kustody confirmation → verified      ${fmt(median(confirmToVerified))}   target < 1000 ms`);
  console.log(`kustody plan → verified (in process) ${fmt(median(planToVerified))}`);
  console.log(`kustody isolate --yes (command)      ${fmt(median(cli))}`);
  console.log(`kubectl script (4 commands)          ${fmt(median(script))}`);
  console.log(`kubectl / kustody confirm→verified   ${(median(script) / median(confirmToVerified)).toFixed(1)}×   target ≥ 3×`);
  console.log(`kubectl / kustody command            ${(median(script) / median(cli)).toFixed(1)}×`);
} finally {
  cleanup();
  admin(['delete', 'namespace', ns, '--wait=false']);
}
