import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { containerRefFromCgroupPath, parseCgroup, type ContainerRef } from '../../../../src/core/evidence/parsers/index.js';
import { assertPrintableWarnings, codes, fixture, FC_RUNS, utf8 } from './helpers.js';

const ID = 'a3f1c2e4b5d6978812345678901234567890abcdefabcdefabcdefabcdef0123';
const OTHER = 'b'.repeat(64);
const UID = '0f3c1e6a-1234-4abc-9def-0123456789ab';
const UNDERSCORED = UID.replaceAll('-', '_');

test('the real cgroup file of a host process has nine v1 lines, one v2 line and no container', () => {
  const parsed = parseCgroup(fixture('comm-plain/cgroup'));
  assert.deepEqual(parsed.warnings, []);
  assert.equal(parsed.entries.length, 10);
  assert.deepEqual(parsed.entries.map((e) => e.version), [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  assert.deepEqual(parsed.entries[0]?.controllers, ['name=systemd']);
  assert.deepEqual(parsed.entries.at(-1)?.controllers, []);
  assert.equal(parsed.container, null);
});

const cases: ReadonlyArray<[string, string, ContainerRef | null]> = [
  ['containerd with the systemd driver', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UNDERSCORED}.slice/cri-containerd-${ID}.scope`,
    { containerId: ID, runtime: 'containerd', podUid: UID, qosClass: 'Burstable' }],
  ['a Guaranteed pod with the systemd driver', `/kubepods.slice/kubepods-pod${UNDERSCORED}.slice/cri-containerd-${ID}.scope`,
    { containerId: ID, runtime: 'containerd', podUid: UID, qosClass: 'Guaranteed' }],
  ['the cgroupfs driver', `/kubepods/besteffort/pod${UID}/${ID}`,
    { containerId: ID, runtime: 'unknown', podUid: UID, qosClass: 'BestEffort' }],
  ['containerd nested under its service, as in kind', `/system.slice/containerd.service/kubepods-besteffort-pod${UNDERSCORED}.slice:cri-containerd:${ID}`,
    { containerId: ID, runtime: 'containerd', podUid: UID, qosClass: 'BestEffort' }],
  ['cri-o', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UNDERSCORED}.slice/crio-${ID}.scope`,
    { containerId: ID, runtime: 'cri-o', podUid: UID, qosClass: 'Burstable' }],
  ['a cri-o conmon scope, which is not the container', `/kubepods.slice/kubepods-pod${UNDERSCORED}.slice/crio-conmon-${ID}.scope`,
    { containerId: null, runtime: null, podUid: UID, qosClass: 'Guaranteed' }],
  ['docker with cgroupfs', `/docker/${ID}`, { containerId: ID, runtime: 'docker', podUid: null, qosClass: null }],
  ['docker with systemd', `/system.slice/docker-${ID}.scope`, { containerId: ID, runtime: 'docker', podUid: null, qosClass: null }],
  ['podman', `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container`,
    { containerId: ID, runtime: 'podman', podUid: null, qosClass: null }],
  ['docker in docker, where the deepest id wins', `/docker/${OTHER}/docker/${ID}`, { containerId: ID, runtime: 'docker', podUid: null, qosClass: null }],
  ['a static pod named by its 32-digit config hash', `/kubepods/burstable/pod6c8b7d0e1f2a3b4c5d6e7f8091a2b3c4/${ID}`,
    { containerId: ID, runtime: 'unknown', podUid: '6c8b7d0e1f2a3b4c5d6e7f8091a2b3c4', qosClass: 'Burstable' }],
  ['a login session', '/user.slice/user-1000.slice/session-2.scope', null],
  ['a 63-digit id, one short', `/docker/${ID.slice(1)}`, null],
  ['the root of a cgroup namespace', '/', null],
];
for (const [name, path, expected] of cases) {
  test(`container ref from ${name}`, () => {
    assert.deepEqual(containerRefFromCgroupPath(path), expected);
    assert.deepEqual(parseCgroup(utf8(`0::${path}\n`)).container, expected);
  });
}

test('the v2 line decides, and a v1 line naming another container is a warning', () => {
  const parsed = parseCgroup(utf8(`4:memory:/docker/${OTHER}\n0::/docker/${ID}\n1:cpu:/docker/${ID}\n`));
  assert.equal(parsed.container?.containerId, ID);
  assert.deepEqual(codes(parsed.warnings), ['CONTAINER_ID_CONFLICT']);
  assert.equal(parsed.warnings[0]?.line, 1);
});

test('colons in the path stay in the path, and lines without two colons or a number are warnings', () => {
  const parsed = parseCgroup(utf8('0::/a:b:c\nnot a line\nx:cpu:/\n'));
  assert.deepEqual(parsed.entries.map((e) => e.path.text), ['/a:b:c']);
  assert.deepEqual(codes(parsed.warnings), ['MALFORMED_LINE', 'MALFORMED_LINE']);
});

test('property: any path bytes after "0::" come back exactly', () => {
  const path = fc.uint8Array({ maxLength: 60 }).map((b) => b.filter((x) => x !== 0x0a));
  fc.assert(fc.property(path, (bytes) => {
    const parsed = parseCgroup(Uint8Array.of(...utf8('0::'), ...bytes, 0x0a));
    assert.deepEqual(parsed.entries[0]?.path.bytes, bytes);
  }), { numRuns: FC_RUNS });
});

test('property: any bytes parse as a cgroup file without throwing', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    assertPrintableWarnings(parseCgroup(bytes).warnings);
  }), { numRuns: FC_RUNS });
});
