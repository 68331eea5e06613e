/**
 * Hostile text that reaches kustody through Kubernetes itself, on the lab: a pod's annotation, its
 * container's command line and log, and a core/v1 Event about it (type, reason, message, source: free
 * text the API server accepts from anyone allowed to create events). Label values, label keys, annotation
 * keys and object names cannot carry it: the API server rejects them (DNS-1123 / qualified-name rules).
 * The case is a real capture by the lab's responder; every format kustody writes from it is checked.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { openCaseForReview } from '../../src/adapters/ui-data/open-review.js';
import { reviewContent } from '../../src/commands/review-command.js';
import { escapeUntrusted } from '../../src/core/display/index.js';
import { escapeHtml } from '../../src/core/report/html-text.js';
import { ReviewApp } from '../../src/ui/ReviewApp.js';
import { makeTempDir, newCase, runKustody } from '../helpers/cli.js';
import { inertOutputs, RAW_CONTROL } from '../helpers/inert-outputs.js';
import { applyAsAdmin, kubectl, requireLab } from '../helpers/lab.js';
import { KEYS, renderUi, unmountAll } from '../ui/render-helpers.js';

afterEach(() => unmountAll());

/** Each piece on one line (the log splits on newlines; the newline piece is tested in the annotation and the event). */
const PIECES = {
  osc52: '\x1b]52;c;SGk=\x07',
  csi: '\x1b[2J\x1b[1;1H',
  c1: '\u009b31m\u0090dcs\u009c',
  bidi: 'exe\u202efdp.sh',
  script: '<script>window.__pwned=1</script>',
  style: '</style><style>body{display:none}</style>',
  mdLink: '[x](javascript:alert(1))',
  mdImage: '![i](http://127.0.0.1:9/p.png)',
  backticks: 'a ``` b ` c',
} as const;
const ONE_LINE = Object.values(PIECES).join(' | ');
const WITH_NEWLINES = `${ONE_LINE}\nsecond line\r\nthird`;
const FORMULA = '=HYPERLINK("http://127.0.0.1:9/","x")';

test('hostile annotations, command lines, logs and Events captured from the lab stay inert in the HTML, Markdown and JSON report, every timeline format and the review browser', { timeout: 300_000 }, async (t) => {
  const lab = await requireLab(t);
  if (!lab) return;
  const ns = `rpt-hostile-${Math.random().toString(36).slice(2, 7)}`;
  assert.equal((await kubectl(lab, 'admin', ['create', 'namespace', ns])).exitCode, 0);
  t.after(async () => {
    await kubectl(lab, 'admin', ['delete', 'namespace', ns, '--wait=false']);
  });
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'hp', namespace: ns, labels: { app: 'hp' }, annotations: { 'kustody-test.io/hostile': WITH_NEWLINES } },
    spec: {
      terminationGracePeriodSeconds: 1, automountServiceAccountToken: false,
      containers: [{
        name: 'app', image: 'lab.local/busybox:1.35', imagePullPolicy: 'Never',
        // The shell keeps the hostile argument in its command line and writes it to the log.
        command: ['sh', '-c', 'echo "$1"; touch /tmp/ready; sleep 100000 & wait', 'sh', ONE_LINE],
        readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 },
      }],
    },
  };
  const applied = await applyAsAdmin(lab, pod);
  assert.equal(applied.exitCode, 0, applied.stderr);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const event = {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'hp.hostile', namespace: ns },
    involvedObject: { kind: 'Pod', name: 'hp', namespace: ns }, type: `${FORMULA}${PIECES.osc52}`, reason: `${FORMULA} ${PIECES.bidi}`,
    message: WITH_NEWLINES, source: { component: PIECES.c1 }, firstTimestamp: now, lastTimestamp: now, count: 1,
  };
  const created = await kubectl(lab, 'admin', ['create', '-f', '-'], { input: JSON.stringify(event) });
  assert.equal(created.exitCode, 0, created.stderr);
  const ready = await kubectl(lab, 'admin', ['wait', '-n', ns, '--for=condition=Ready', 'pod/hp', '--timeout=120s'], { timeout: 130_000 });
  assert.equal(ready.exitCode, 0, ready.stderr);

  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const kase = await newCase(dir);
  const capture = await runKustody(['capture', 'pod', `${ns}/hp`, '--case', kase.path, '--via', 'exec', '--json'], { env: { KUBECONFIG: lab.responderKubeconfig } });
  assert.equal(capture.exitCode, 0, capture.stdout + capture.stderr);

  const out = await inertOutputs(kase.path, dir);
  // JSON carries the exact text, encoded; a program gets the bytes back.
  const messages = out.model.timeline.events.map((e) => e.message);
  assert.ok(messages.some((m) => m.startsWith(`${FORMULA}${PIECES.osc52} ${FORMULA} ${PIECES.bidi} Pod ${ns}/hp: ${WITH_NEWLINES} [${PIECES.c1}]`)), 'the Event on the report\'s timeline, exact');
  assert.ok(messages.some((m) => m.endsWith(`: sh -c echo "$1"; touch /tmp/ready; sleep 100000 & wait sh ${ONE_LINE}`)), 'the shell\'s derived start with its hostile command line');
  assert.ok(messages.some((m) => m === `app of ${ns}/hp: ${ONE_LINE}`), 'the hostile log line');
  assert.ok(out.timeline.some((l) => l.message.includes(WITH_NEWLINES)), 'Timesketch carries the Event\'s message exactly');
  // CSV: escape notation; the Event's message starts with its hostile type, so its cell is neutralised.
  const eventCell = out.csv.map((r) => r[0] ?? '').find((m) => m.includes(`Pod ${ns}/hp: `));
  assert.equal(eventCell?.startsWith(`'${FORMULA}`), true, `the Event's cell: ${eventCell?.slice(0, 80)}`);
  assert.ok(eventCell?.includes(escapeUntrusted(WITH_NEWLINES)), 'the message in escape notation, newlines included');
  assert.ok(out.html.includes(escapeHtml(escapeUntrusted(WITH_NEWLINES))), 'the Event\'s message in the HTML: escape notation, then entities');
  if (out.dom !== null) assert.ok(out.dom.text.includes(escapeUntrusted(WITH_NEWLINES)), 'Chromium shows it as text');
  if (out.codeText !== null) assert.ok(out.codeText.includes(escapeUntrusted(WITH_NEWLINES)), 'Markdown shows it whole in a code span');

  // The review browser: the annotation and the Event's message in the object detail, the command line in the process detail.
  const opening = openCaseForReview(kase.path, dir);
  const ui = renderUi(<ReviewApp content={reviewContent(opening)} size={{ columns: 160, rows: 50 }} />);
  await ui.waitFor((f) => f.includes('6 Kubernetes objects'), 'the browser');
  const pick = async (tab: string, words: string, shown: (f: string) => boolean, what: string): Promise<string> => {
    await ui.press(tab, '/', ...words.split(''), KEYS.enter);
    return ui.waitFor(shown, what);
  };
  const podFrame = await pick('6', 'Pod', (f) => /^annotation kustody-test\.io\/hostile/m.test(f), 'the pod\'s annotation');
  assert.match(podFrame, /^annotation kustody-test\.io\/hostile +\\x1b\]52;c;SGk=\\x07 \| \\x1b\[2J\\x1b\[1;1H \| \\u\{9b\}31m\\u\{90\}dcs\\u\{9c\} \| exe\\u\{202e\}fdp\.sh/m);
  assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL, 'the pod detail');
  await ui.press(KEYS.escape);
  const eventFrame = await pick('6', 'hp.hostile', (f) => /^message +/m.test(f), 'the Event\'s message');
  assert.match(eventFrame, /^message +\\x1b\]52;c;SGk=\\x07 \| /m);
  assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL, 'the Event detail');
  await ui.press(KEYS.escape);
  const procFrame = await pick('2', 'sleep', (f) => /^cmdline /m.test(f), 'the process detail');
  assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL, 'the process detail');
  assert.match(procFrame, /^cmdline +sh -c echo "\$1"; touch \/tmp\/ready; sleep 100000 & wait sh \\x1b\]52;c;SGk=\\x07 \| \\x1b\[2J/m);
  ui.unmount();
});
