// kubectl's KUBECONFIG merge rules and flag overrides, decided on parsed documents (the lab test
// test/cli/kubeconfig-like-kubectl.test.ts checks the same rules against kubectl itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeKubeconfigs, selectClusterAccess, type KubeconfigDocument } from '../../../src/core/kube/kubeconfig-merge.js';

function file(path: string, doc: unknown): KubeconfigDocument {
  return { path, dir: path.slice(0, path.lastIndexOf('/')), doc };
}

const first = file('/home/r/.kube/a.yaml', {
  clusters: [{ name: 'prod', cluster: { server: 'https://prod-a', 'certificate-authority': 'ca.crt' } }],
  users: [{ name: 'alice', user: { token: 'from-a', tokenFile: '../tokens/alice' } }],
  contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'alice', namespace: 'shop' } }],
});
const second = file('/etc/kube/b.yaml', {
  'current-context': 'prod',
  clusters: [{ name: 'prod', cluster: { server: 'https://prod-b' } }, { name: 'dev', cluster: { server: 'https://dev' } }],
  users: [{ name: 'alice', user: { token: 'from-b', username: 'only-in-b' } }, { name: 'bob', user: { exec: { command: './bin/login', apiVersion: 'client.authentication.k8s.io/v1' } } }],
  contexts: [{ name: 'dev', context: { cluster: 'dev', user: 'bob' } }, { name: 'ghost', context: { cluster: 'dev', user: 'nobody' } }],
});

test('the first file to define a name wins, whole: later files add names but never fields to it', () => {
  const merged = mergeKubeconfigs([first, second]);
  assert.equal(merged.clusters.get('prod')?.fields.server, 'https://prod-a');
  assert.deepEqual(merged.users.get('alice')?.fields, { token: 'from-a', tokenFile: '/home/r/tokens/alice' });
  assert.equal(merged.clusters.get('dev')?.origin, '/etc/kube/b.yaml');
  assert.deepEqual([...merged.contexts.keys()], ['prod', 'dev', 'ghost']);
});

test('current-context comes from the first file that names one, even when it is not the first file', () => {
  assert.equal(mergeKubeconfigs([first, second]).currentContext, 'prod');
  const third = file('/x/c.yaml', { 'current-context': 'dev' });
  assert.equal(mergeKubeconfigs([first, second, third]).currentContext, 'prod');
  assert.equal(mergeKubeconfigs([first]).currentContext, null);
});

test('relative paths resolve against the file that wrote them, an exec command only when it has a slash', () => {
  const merged = mergeKubeconfigs([first, second]);
  assert.equal(merged.clusters.get('prod')?.fields['certificate-authority'], '/home/r/.kube/ca.crt');
  assert.equal((merged.users.get('bob')?.fields.exec as { command: string }).command, '/etc/kube/bin/login');
  const bare = mergeKubeconfigs([file('/k/c', { users: [{ name: 'u', user: { exec: { command: 'aws' } } }] })]);
  assert.equal((bare.users.get('u')?.fields.exec as { command: string }).command, 'aws');
});

test('the context namespace is the default; -n, --cluster and --user override the context', () => {
  const merged = mergeKubeconfigs([first, second]);
  const plain = selectClusterAccess(merged, {});
  assert.deepEqual([plain.context, plain.cluster.name, plain.user?.name, plain.namespace], ['prod', 'prod', 'alice', 'shop']);
  const flags = selectClusterAccess(merged, { context: 'dev', namespace: 'kube-system' });
  assert.deepEqual([flags.cluster.name, flags.user?.name, flags.namespace], ['dev', 'bob', 'kube-system']);
  assert.equal(selectClusterAccess(merged, { context: 'dev' }).namespace, 'default');
  const swapped = selectClusterAccess(merged, { cluster: 'dev', user: 'bob' });
  assert.deepEqual([swapped.cluster.fields.server, swapped.user?.name], ['https://dev', 'bob']);
});

test('a context naming a user no file defines is refused with the names and files, not sent anonymously', () => {
  const merged = mergeKubeconfigs([first, second]);
  assert.throws(() => selectClusterAccess(merged, { context: 'ghost' }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'KUBE_USER');
    assert.match(error.message, /Context "ghost" names a user "nobody" that no kubeconfig file defines \(\/home\/r\/\.kube\/a\.yaml, \/etc\/kube\/b\.yaml\)/);
    return true;
  });
  assert.throws(() => selectClusterAccess(merged, { context: 'nope' }), /No context named "nope"/);
  assert.throws(() => selectClusterAccess(mergeKubeconfigs([first]), {}), /names no current context/);
});

test('malformed files are refused naming the file: a list that is not a list, a duplicate name, a nameless entry', () => {
  assert.throws(() => mergeKubeconfigs([file('/k/bad', { clusters: { prod: {} } })]), /\/k\/bad is not valid: clusters is not a list/);
  assert.throws(() => mergeKubeconfigs([file('/k/dup', { users: [{ name: 'u', user: {} }, { name: 'u', user: {} }] })]), /users names "u" twice/);
  assert.throws(() => mergeKubeconfigs([file('/k/anon', { contexts: [{ context: {} }] })]), /contexts\[0\] has no name/);
  assert.equal(mergeKubeconfigs([file('/k/empty', null)]).currentContext, null);
});
