/** In-memory ports for the responder UI's own logic (screens, keys, confirmation); what the API server decides is tested in the lab. */
import { escapeUntrusted, trusted } from '../../src/core/display/index.js';
import type { ClusterStatus, PlaybookChoice } from '../../src/core/ui/cluster-view.js';
import { evidenceTables } from '../../src/core/ui/evidence-tables.js';
import { podEntry } from '../../src/core/ui/pod-list.js';
import type { PlanStepView } from '../../src/runner/playbook-events.js';
import type { ResponderPorts, RunPorts } from '../../src/ui/ports.js';
import { hostileEvidence } from './evidence-fixture.js';

/** The lab's answer for a responder with every permission. */
export const READY: ClusterStatus = {
  kind: 'ready', context: 'responder@kustody-lab', server: 'https://127.0.0.1:6443', user: 'kustody-responder', groups: ['kustody:responders', 'system:authenticated'],
  checks: [
    { need: { verb: 'get', group: '', resource: 'pods', why: 'read the suspect pod' }, allowed: true },
    { need: { verb: 'create', group: '', resource: 'pods/exec', why: 'run the collector in the container' }, allowed: true },
    { need: { verb: 'patch', group: '', resource: 'pods', why: 'add the quarantine label' }, allowed: false },
  ],
};

/** A two-step playbook: an observe step and a contain step that needs the typed confirmation. */
export const PLAYBOOK: PlaybookChoice = {
  id: 'compromised-pod', title: 'Compromised pod', description: 'Snapshot, then isolate.', needsToken: false,
  steps: [{ id: 'snapshot', title: 'Quick volatile snapshot', action: 'capture', danger: 'observe' }, { id: 'isolate', title: 'Isolate the pod', action: 'isolate', danger: 'contain' }],
};

const VIEWS: PlanStepView[] = [
  { id: 'snapshot', title: 'Quick volatile snapshot', why: 'Connections vanish first.', action: 'capture', danger: 'observe', confirm: false, needs: [], verify: null, undo: null, state: 'pending' },
  { id: 'isolate', title: 'Isolate the pod', why: 'A deny-all NetworkPolicy cuts new connections.', action: 'isolate', danger: 'contain', confirm: true, needs: ['snapshot'], verify: 'Reads every change back.', undo: 'kustody release', state: 'pending' },
];

/** What the fake runner saw: every confirm answer, and whether the isolate change was "applied". */
export interface FakeRunLog {
  answers: boolean[];
  applied: number;
  runs: { playbookId: string; pod: string; dryRun: boolean; resume: boolean }[];
}

/** Builds ports over `podCount` pods; the runner emits real event shapes and waits on the confirm port. */
export function fakePorts(options: { cluster?: ClusterStatus; podCount?: number; hostilePod?: boolean; slowSnapshot?: boolean } = {}): { ports: ResponderPorts; log: FakeRunLog } {
  const log: FakeRunLog = { answers: [], applied: 0, runs: [] };
  const pods = Array.from({ length: options.podCount ?? 3 }, (_, i) => podEntry({
    metadata: { name: i === 1 ? 'suspect' : `web-${i}`, namespace: 'shop' },
    spec: { serviceAccountName: 'web', nodeName: 'lab-node', hostNetwork: i % 7 === 3 },
    status: { phase: 'Running' },
  }, {}));
  if (options.hostilePod === true) pods.push(podEntry({ metadata: { name: 'x\x1b]52;c;SGk=\x07', namespace: 'shop' }, spec: { serviceAccountName: 'a\u202eb' } }, {}));
  const ports: ResponderPorts = {
    probeCluster: async () => options.cluster ?? READY,
    listPlaybooks: async () => [PLAYBOOK],
    loadPods: async (onPage) => {
      for (let i = 0; i < pods.length; i += 500) onPage(pods.slice(i, i + 500));
    },
    open: async () => ({ kind: 'evidence', data: hostileEvidence() }),
    startRun: async (input, run: RunPorts) => {
      log.runs.push({ ...input });
      const now = '2026-11-27T05:00:00.000Z';
      run.emit({ type: 'plan', runId: 'run-1', playbook: { id: PLAYBOOK.id, title: PLAYBOOK.title, description: PLAYBOOK.description }, target: input.pod, caseId: 'case-1', dryRun: input.dryRun, resumed: input.resume, steps: VIEWS });
      run.emit({ type: 'step-start', stepId: 'snapshot', index: 0, total: 2, at: now });
      if (options.slowSnapshot === true) {
        // Runs until Ctrl-C, then stops at its safe point the way the runner does.
        run.emit({ type: 'progress', stepId: 'snapshot', message: trusted('reading /proc of 4 processes') });
        await new Promise((resolve) => run.signal.addEventListener('abort', resolve, { once: true }));
        run.emit({ type: 'interrupted', stepId: 'snapshot' });
        run.emit({ type: 'finished', runId: 'run-1', status: 'interrupted', next: trusted('Step snapshot was interrupted; continue with the same command plus --resume.') });
        return;
      }
      run.emit({ type: 'step-done', stepId: 'snapshot', outcome: 'done', summary: [trusted('connections 1, processes 4')], elapsedMs: 300 });
      run.emit({ type: 'step-start', stepId: 'isolate', index: 1, total: 2, at: now });
      run.emit({ type: 'preview', stepId: 'isolate', lines: [escapeUntrusted(`Label ${input.pod} kustody.io/quarantine=case-1`), trusted('Create NetworkPolicy kustody-quarantine-case-1 denying all ingress and egress')] });
      if (!input.dryRun) {
        run.emit({ type: 'confirm', stepId: 'isolate', expect: input.pod });
        const ok = await run.confirm('isolate', input.pod);
        log.answers.push(ok);
        if (!ok) {
          run.emit({ type: 'step-declined', stepId: 'isolate', next: trusted('Nothing of step isolate was applied.') });
          run.emit({ type: 'finished', runId: 'run-1', status: 'needs-confirmation', next: null });
          return;
        }
        log.applied += 1;
      }
      run.emit({ type: 'step-done', stepId: 'isolate', outcome: input.dryRun ? 'dry-run' : 'done', summary: [trusted('2 change(s): 2 applied')], elapsedMs: 1200 });
      run.emit({ type: 'finished', runId: 'run-1', status: input.dryRun ? 'dry-run' : 'completed', next: null });
    },
  };
  return { ports, log };
}

/** The browser tables of the hostile evidence, for tests that need them. */
export const HOSTILE_TABLES = evidenceTables(hostileEvidence(), { now: Date.parse('2026-11-28T00:00:00Z') });
