/**
 * Drives kustody in a real terminal: a tmux server on a private socket (-L, unique per session), one
 * window of a fixed size, every byte the program writes recorded with pipe-pane, keys sent with
 * send-keys and screens read with capture-pane. Only the server this helper started is ever killed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One tmux session running one command. */
export interface TmuxSession {
  /** The visible screen as text (what a person sees). */
  screen: () => string;
  /** The screen with up to 500 lines of scrollback (what ink's Static printed above the live frame). */
  history: () => string;
  /** Every byte the program wrote to the terminal, once the program has ended (waits until the recording holds the shell's `EXIT=` line). */
  raw: () => Promise<Buffer>;
  /** Sends keys (tmux key names such as Enter, Escape, C-c, PPage) or, with literal, text. */
  send: (keys: readonly string[], literal?: boolean) => void;
  /** Polls the screen until the predicate holds (no fixed sleeps); returns that screen. */
  waitFor: (predicate: (screen: string) => boolean, what: string, timeoutMs?: number) => Promise<string>;
  /** Resolves once the program reads keys one at a time (its terminal is out of canonical mode): keys sent before that are line-buffered and echoed. */
  waitForRawMode: (timeoutMs?: number) => Promise<void>;
  resize: (columns: number, rows: number) => void;
  /** Kills this session's own tmux server and removes its files. */
  close: () => void;
}

/** Tells whether tmux can run here. */
export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Starts `argv` in a new tmux server, `columns` x `rows`, with `env` added (CI removed, so ink draws frames). */
export function startTmux(argv: readonly string[], options: { env?: Record<string, string>; columns?: number; rows?: number; cwd?: string } = {}): TmuxSession {
  const socket = `kustody-ui-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'kustody-tmux-'));
  const rawFile = join(dir, 'raw.bin');
  const envPrefix = ['env', '-u', 'CI', ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)].map(quote).join(' ');
  const ready = join(dir, 'ready');
  // The program waits until pipe-pane records; the shell keeps the pane open after it ends, so its exit code can be read.
  const line = `while [ ! -e ${quote(ready)} ]; do sleep 0.02; done; cd ${quote(options.cwd ?? process.cwd())} && ${envPrefix} ${argv.map(quote).join(' ')}; echo "EXIT=$?"; sleep 600`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  tmux('new-session', '-d', '-s', 'main', '-x', String(options.columns ?? 120), '-y', String(options.rows ?? 36), line);
  tmux('set-option', '-g', 'status', 'off');
  tmux('pipe-pane', '-O', '-t', 'main', `cat >> ${quote(rawFile)}`);
  writeFileSync(ready, '');
  const screen = () => tmux('capture-pane', '-p', '-t', 'main');
  return {
    screen,
    history: () => tmux('capture-pane', '-p', '-S', '-500', '-t', 'main'),
    // pipe-pane copies the pane's output asynchronously: the screen can show EXIT= before the recording
    // has it. The shell prints EXIT= after the program ends, so once it is recorded, so is all the program wrote.
    async raw() {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const bytes = existsSync(rawFile) ? readFileSync(rawFile) : Buffer.alloc(0);
        if (bytes.includes('EXIT=')) return bytes;
        if (Date.now() > deadline) throw new Error(`pipe-pane never recorded the program's end (${bytes.length} bytes recorded)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    send: (keys, literal = false) => void tmux('send-keys', '-t', 'main', ...(literal ? ['-l'] : []), ...keys),
    async waitFor(predicate, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = screen();
        if (predicate(current)) return current;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${current}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async waitForRawMode(timeoutMs = 60_000) {
      const tty = tmux('display-message', '-p', '-t', 'main', '#{pane_tty}').trim();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (/(^|\s)-icanon(\s|;|$)/.test(execFileSync('stty', ['-a', '-F', tty], { encoding: 'utf8' }))) return;
        if (Date.now() > deadline) throw new Error(`the program never put ${tty} in raw mode`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    resize: (columns, rows) => void tmux('resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows)),
    close: () => {
      try {
        tmux('kill-server');
      } catch {
        // Already gone.
      }
      // tmux leaves the socket file of a killed server behind; this one is ours by its unique name.
      rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
