import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '../../src/core/exercise/scenario.js';
import { makeTempDir, runKustody } from '../helpers/cli.js';

/** A valid small scenario; each case below breaks one thing in it. */
const GOOD = `id: practice
title: Practice
summary: A small scenario that the schema tests break one way at a time.
duration_minutes: 10
techniques:
  - {framework: attack-containers, id: T1528, name: Steal Application Access Token}
objectives:
  - id: capture
    text: Capture the victim.
    measure: {kind: captured, pod: victim}
expected_playbook: leaked-token
attacker:
  service_account: victim
  bound_to_pod: victim
  rules:
    - {api_groups: [""], resources: [secrets], verbs: [list]}
workloads:
  - name: victim
    description: The pod whose token is stolen.
    wait_ready: true
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: victim}
      spec:
        serviceAccountName: victim
        containers: [{name: c, image: lab.local/busybox:1.35, command: [sleep, "1000"]}]
actions:
  - id: list
    at: {minute: 1}
    description: Lists Secrets.
    do: list
    kind: Secret
  - id: plant
    at: {minute: 2}
    description: Plants a config map.
    do: create
    object: {apiVersion: v1, kind: ConfigMap, metadata: {name: planted}, data: {peer: "\${{ pod-ip:victim }}"}}
injects:
  - {id: alert, at: {event: pod-isolated}, message: An alert fires.}
hints:
  - {id: h1, text: Look at the pod., cost: 5}
facilitator_notes: Notes.
scoring:
  - {id: capture, points: 10, objective: capture}
  - {id: missed, points: -5, measure: {kind: object-missed, object_kind: ConfigMap, name: planted}}
`;

const CASES: Array<{ name: string; text: string; line: number; problem: RegExp }> = [
  { name: 'an unknown top-level key', text: GOOD.replace('facilitator_notes:', 'colour: red\nfacilitator_notes:'), line: 43, problem: /Unknown key "colour" in the scenario/ },
  { name: 'a missing required key', text: GOOD.replace('expected_playbook: leaked-token\n', ''), line: 1, problem: /missing the required key "expected_playbook"/ },
  { name: 'an unknown measure kind', text: GOOD.replace('kind: captured, pod', 'kind: teleported, pod'), line: 10, problem: /"kind" in measure of objective "capture" must be one of/ },
  { name: 'a measure parameter its kind does not take', text: GOOD.replace('{kind: captured, pod: victim}', '{kind: captured, pod: victim, minutes: 3}'), line: 10, problem: /A captured measure takes pod, not minutes/ },
  { name: 'an unknown event', text: GOOD.replace('event: pod-isolated', 'event: coffee-break'), line: 40, problem: /"event" in "at" of inject "alert" must be one of pod-isolated/ },
  { name: 'a time with both minute and event', text: GOOD.replace('at: {minute: 1}', 'at: {minute: 1, event: pod-isolated}'), line: 30, problem: /needs exactly one of minute/ },
  { name: 'an unknown attacker verb', text: GOOD.replace('do: list', 'do: exec'), line: 32, problem: /"do" in action "list" must be one of list, get, create/ },
  { name: 'an object in a namespace of its own', text: GOOD.replace('metadata: {name: planted}', 'metadata: {name: planted, namespace: kube-system}'), line: 38, problem: /must not set metadata.namespace/ },
  { name: 'a kind scenarios cannot create', text: GOOD.replace('kind: ConfigMap, metadata', 'kind: ValidatingWebhookConfiguration, metadata'), line: 38, problem: /which scenarios cannot create/ },
  { name: 'a cluster-scoped object without the namespace in its name', text: GOOD.replace('{apiVersion: v1, kind: ConfigMap, metadata: {name: planted}, data: {peer: "${{ pod-ip:victim }}"}}', '{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: planted}}'), line: 38, problem: /ClusterRoleBinding is cluster-scoped: its name must contain/ },
  { name: 'an unknown placeholder', text: GOOD.replace('pod-ip:victim', 'secret:victim'), line: 38, problem: /Unknown placeholder \$\{\{ secret:victim \}\}/ },
  { name: 'a pod-ip of a pod that is not waited for', text: GOOD.replace('    wait_ready: true\n', ''), line: 37, problem: /pod-ip:victim \}\} names no earlier workload pod/ },
  { name: 'a scoring rule naming an unknown objective', text: GOOD.replace('objective: capture}', 'objective: ghost}'), line: 45, problem: /names objective "ghost", which the scenario does not list/ },
  { name: 'an attacker bound to a pod running as another account', text: GOOD.replace('serviceAccountName: victim', 'serviceAccountName: other'), line: 14, problem: /must run as the attacker's service account victim/ },
  { name: 'an attacker given every verb', text: GOOD.replace('verbs: [list]', 'verbs: ["*"]'), line: 16, problem: /named verbs, not "\*"/ },
  { name: 'a hint with a negative cost', text: GOOD.replace('cost: 5', 'cost: -5'), line: 42, problem: /"cost" in hint 1 must be a whole number from 0 to 1000/ },
  { name: 'an action id used twice', text: GOOD.replace('id: plant', 'id: list'), line: 29, problem: /The action "list" is listed twice/ },
  { name: 'a malformed ATT&CK id', text: GOOD.replace('id: T1528,', 'id: TX1528,'), line: 6, problem: /ATT&CK technique ids look like T1552/ },
  { name: 'a YAML alias', text: GOOD.replace('text: Look at the pod.', 'text: *n').replace('facilitator_notes: Notes.', 'facilitator_notes: &n Notes.'), line: 42, problem: /aliases .* are not allowed/ },
  { name: 'broken YAML', text: GOOD.replace('summary: A small', 'summary: [A small'), line: 4, problem: /^YAML: / },
];

test('the unbroken practice scenario parses (so every case below fails for its own reason)', () => {
  const result = parseScenario(GOOD, 'practice.yaml');
  assert.deepEqual(result.problems, []);
  assert.equal(result.scenario?.actions.length, 2);
  assert.deepEqual(result.scenario?.injects[0]?.at, { event: 'pod-isolated' });
});

for (const c of CASES) {
  test(`scenario parsing rejects ${c.name}, naming the line and the problem`, () => {
    const result = parseScenario(c.text, 'practice.yaml');
    assert.equal(result.scenario, null);
    const found = result.problems.find((p) => c.problem.test(p.message));
    assert.ok(found, `no problem matching ${c.problem} in ${JSON.stringify(result.problems, null, 1)}`);
    assert.equal(found.line, c.line, JSON.stringify(found));
    assert.equal(found.file, 'practice.yaml');
  });
}

test('exercise validate prints file:line:column for a malformed file and exits 1; the shipped packs all validate', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, GOOD.replace('do: list', 'do: exec'));
  const bad = await runKustody(['exercise', 'validate', file]);
  assert.equal(bad.exitCode, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, new RegExp(`${file.replace(/[/.]/g, '\\$&')}:32:9: "do" in action "list" must be one of list, get, create`));
  const wrongPlaybook = join(dir, 'wrong-playbook.yaml');
  writeFileSync(wrongPlaybook, GOOD.replace('expected_playbook: leaked-token', 'expected_playbook: pray'));
  const run = await runKustody(['exercise', 'validate', wrongPlaybook]);
  assert.equal(run.exitCode, 1);
  assert.match(run.stdout, /:11:1: expected_playbook "pray" is not a shipped playbook/);
  const shipped = await runKustody(['exercise', 'validate', '--json']);
  assert.equal(shipped.exitCode, 0, shipped.stdout);
  const files = (JSON.parse(shipped.stdout) as { files: Array<{ id: string }> }).files.map((f) => f.id);
  assert.ok(files.includes('token-theft'), files.join(','));
  const list = await runKustody(['exercise', 'list', '--json']);
  assert.equal(list.exitCode, 0);
  const ids = (JSON.parse(list.stdout) as { scenarios: Array<{ id: string; max_points: number }> }).scenarios;
  assert.ok(ids.every((s) => s.max_points > 0));
});
