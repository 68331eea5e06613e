// Catalogue A end to end: escaped evidence rendered by Ink and shown by a real terminal (tmux) leaves
// the title, clipboard and screen alone. Each check first proves, with the raw payload, that it can fail.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { escapeUntrusted } from '../../../src/core/display/index.js';
import { CLIPBOARD_CANARY, HOSTILE_COMM, PWNED_TITLE, TERMINAL_ATTACK } from './fixtures/hostile-payload.js';
import { lacks, needsTmux } from '../../helpers/prerequisites.js';

// Ink only draws its last frame, at unmount, when it thinks it runs in CI (is-in-ci reads CI when it
// is first imported): these tests look at every frame, so they load Ink with CI unset.
delete process.env.CI;
const { Box, Text } = await import('ink');
const { render } = await import('ink-testing-library');

// ESC, C1 and the other bytes a terminal acts on (0x0a is Ink's own line break between rows).
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/u;

function frameText(frames: readonly string[]): string {
  return frames.join('\n');
}

test('Ink passes raw evidence through unchanged, so a raw frame carries ESC (the check can fail)', () => {
  const { frames, unmount } = render(<Text>{HOSTILE_COMM}</Text>);
  unmount();
  assert.match(frameText(frames), CONTROL);
});

test('A1-A8 escaped process name renders through Ink with no ESC, C1 or bidi byte in any frame', () => {
  const { frames, lastFrame, unmount } = render(<Text>{escapeUntrusted(HOSTILE_COMM)}</Text>);
  unmount();
  assert.doesNotMatch(frameText(frames), CONTROL);
  assert.ok(lastFrame()?.includes('\\x1b]52;c;'), 'the escape text is visible');
});

test('A7 a newline in comm stays in its row: three processes draw exactly three rows', () => {
  const comms = ['init', 'kworker\n/0:1', 'sh'];
  const rows = (show: (comm: string) => string): number => {
    const { lastFrame, unmount } = render(
      <Box flexDirection="column" width={60}>
        {comms.map((comm, i) => (
          <Text key={i} wrap="truncate">
            {show(comm)}
          </Text>
        ))}
      </Box>,
    );
    unmount();
    return (lastFrame() ?? '').split('\n').length;
  };
  assert.equal(rows((c) => c), 4, 'raw text breaks the table');
  assert.equal(rows((c) => escapeUntrusted(c)), 3);
});

// Their render time is measured by `npm run bench:ui` (target: under 50 ms each), never asserted here.
test('A9 floods (50,000 marks, 1 MiB line, 10^5 emoji) escape and render through Ink as one cut line with the hidden count', () => {
  const floods = [`x${'\u0301'.repeat(50_000)}`, 'A'.repeat(1 << 20), '😀'.repeat(100_000)];
  for (const flood of floods) {
    const { lastFrame, unmount } = render(
      <Box width={100}>
        <Text wrap="truncate">{escapeUntrusted(flood, { maxColumns: 100 })}</Text>
      </Box>,
    );
    const frame = lastFrame() ?? '';
    assert.match(frame, /\\…\[\+\d+ (bytes|marks)\]/u);
    assert.equal(frame.split('\n').length, 1, 'one line');
    unmount();
  }
});

// ---- tmux: a real terminal emulator interprets whatever reaches the pane ----

const missingTmux = needsTmux();
const socket = `kustody-display-${process.pid}-${randomBytes(4).toString('hex')}`;
const root = new URL('../../../', import.meta.url).pathname;
const script = new URL('./fixtures/print-payload.tsx', import.meta.url).pathname;

const socketPaths = new Set<string>();

// tmux leaves its socket file behind when the last session of this private server ends.
after(() => {
  for (const path of socketPaths) rmSync(path, { force: true });
});

// One private server per pane: a second pane on the same socket can race the first server's exit.
let paneSocket = socket;
function tmux(...args: string[]): string {
  const result = spawnSync('tmux', ['-L', paneSocket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface PaneResult {
  readonly screen: string;
  readonly title: string;
  readonly buffers: string;
}

// The pane waits on `read` until the title is set, so nothing the script prints can race the setup.
async function runInPane(mode: 'escaped' | 'raw'): Promise<PaneResult> {
  const session = `${socket}-${mode}`;
  paneSocket = session;
  const command = `read -r go; exec '${process.execPath}' --import tsx '${script}' ${mode}`;
  tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '20', '-c', root, 'sh', '-c', command);
  try {
    socketPaths.add(tmux('display-message', '-p', '#{socket_path}').trim());
    tmux('set-option', '-s', 'set-clipboard', 'on');
    tmux('select-pane', '-t', session, '-T', 'kustody-initial');
    tmux('send-keys', '-t', session, 'Enter');
    const capture = (): string => tmux('capture-pane', '-p', '-t', session);
    await waitFor(() => capture().includes('END-MARKER'), `END-MARKER in the ${mode} pane`);
    return {
      screen: capture(),
      title: tmux('display-message', '-p', '-t', session, '#{pane_title}').trim(),
      buffers: tmux('list-buffers', '-F', '#{buffer_sample}'),
    };
  } finally {
    tmux('kill-session', '-t', session);
  }
}

test('tmux control: the raw payload does set the title, write the clipboard and clear the screen', async (t) => {
  if (lacks(t, missingTmux)) return;
  const raw = await runInPane('raw');
  assert.equal(raw.title, PWNED_TITLE);
  assert.ok(raw.buffers.includes(CLIPBOARD_CANARY), `clipboard buffers: ${JSON.stringify(raw.buffers)}`);
  assert.ok(!raw.screen.includes('BEFORE-MARKER'), 'the screen was cleared');
});

test('tmux: escaped payload through Ink leaves title, clipboard and screen alone and shows the escapes', async (t) => {
  if (lacks(t, missingTmux)) return;
  const shown = await runInPane('escaped');
  assert.equal(shown.title, 'kustody-initial');
  assert.equal(shown.buffers, '');
  assert.ok(shown.screen.includes('BEFORE-MARKER'), 'the screen was not cleared');
  assert.ok(shown.screen.includes(escapeUntrusted(TERMINAL_ATTACK)), `pane shows the escape text:\n${shown.screen}`);
});
