/**
 * Kubernetes object names, namespaces, label keys and values, annotation keys and Event types holding
 * hostile text: a conforming API server refuses most of them (hostile-kube-lab.test.tsx covers what it
 * accepts), but a compromised API server or a proxy can send them. Stored as capture stores them,
 * every output kustody writes keeps them inert.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { openCaseForReview } from '../../src/adapters/ui-data/open-review.js';
import { reviewContent } from '../../src/commands/review-command.js';
import { escapeUntrusted } from '../../src/core/display/index.js';
import { escapeHtml } from '../../src/core/report/html-text.js';
import { ReviewApp } from '../../src/ui/ReviewApp.js';
import { makeTempDir } from '../helpers/cli.js';
import { addHostileKubeObjects, HOSTILE, makeHostileCase } from '../helpers/hostile-case.js';
import { inertOutputs, RAW_CONTROL } from '../helpers/inert-outputs.js';
import { KEYS, renderUi, unmountAll } from '../ui/render-helpers.js';

afterEach(() => unmountAll());

test('hostile object names, namespaces, labels, annotations and Event types stay inert in the report, the timeline (CSV formulas neutralised) and the review browser', async (t) => {
  const { dir, cleanup } = makeTempDir();
  t.after(cleanup);
  const casePath = await makeHostileCase(dir, { capture: false });
  const { namespace, name } = addHostileKubeObjects(casePath);
  const out = await inertOutputs(casePath, dir);

  const created = `Pod ${namespace}/${name} created`;
  assert.ok(out.model.timeline.events.some((e) => e.message === created), 'the report\'s JSON carries the object\'s name exactly');
  assert.ok(out.timeline.some((l) => l.timestamp_desc === 'Object created' && l.message === created), 'so does the Timesketch line');
  const eventCell = out.csv.find((r) => r[2] === 'Kubernetes event')?.[0] ?? '';
  assert.ok(eventCell.startsWith(`'=HYPERLINK("http://127.0.0.1:9/")${escapeUntrusted(HOSTILE.osc)} @SUM(1)`), `the Event's type opens its message and is neutralised: ${eventCell.slice(0, 90)}`);
  assert.ok(out.csv.some((r) => r[0] === escapeUntrusted(created)), 'the CSV shows the name in escape notation, newline included');
  assert.ok(out.html.includes(escapeHtml(escapeUntrusted(created))), 'the HTML shows it escaped');
  if (out.dom !== null) assert.ok(out.dom.text.includes(escapeUntrusted(created)), 'Chromium shows it as text');
  if (out.codeText !== null) assert.ok(out.codeText.includes(escapeUntrusted(created)), 'the Markdown shows it in a code span');

  const opening = openCaseForReview(casePath, dir);
  const ui = renderUi(<ReviewApp content={reviewContent(opening)} size={{ columns: 200, rows: 50 }} />);
  await ui.waitFor((f) => f.includes('6 Kubernetes objects'), 'the browser');
  await ui.press('6');
  const pod = await ui.waitFor((f) => /^label /m.test(f), 'the pod\'s labels');
  assert.match(pod, /^Pod +ns\\x1b\]52;c;aGVsbG8=\\x07 \\x1b\[2J +webexe\\u\{202e\}fdp\.sh<script>window\.__pwned=1<\/script>\\x0asecond line/m, 'namespace and name in the table, escaped');
  assert.match(pod, /^label app\\x1b\]52;c;aGVsbG8=\\x07 \\x1b\[2J +\]\(javascript:alert\(1\)\) \[x\]\(javascript:alert\(2\)\)\\u\{9b\}31m$/m);
  assert.match(pod, /^annotation note\/<link rel=stylesheet/m);
  assert.match(pod, /^nodeName +node\\x1b\]52;c;aGVsbG8=\\x07 \\x1b\[2J$/m);
  assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL);
  await ui.press(KEYS.down);
  const event = await ui.waitFor((f) => /^message /m.test(f), 'the Event');
  assert.match(event, /^message +<script>window\.__pwned=1<\/script>\\x0a\]\(javascript:alert\(1\)\)/m);
  assert.doesNotMatch(ui.rawFrame(), RAW_CONTROL);
  ui.unmount();
});
