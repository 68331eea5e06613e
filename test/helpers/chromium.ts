/**
 * Opens a file in headless Chromium (Debian's `chromium`) over the DevTools protocol on a pipe
 * (--remote-debugging-pipe: no port, no WebSocket library), records every network request, console
 * message, log entry and CSP issue, evaluates an expression in the page and takes a screenshot.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** `false` when Debian's chromium runs, else what is missing. */
export function needsChromium(): string | false {
  return spawnSync('chromium', ['--version']).status === 0 ? false : 'chromium is not installed (Debian chromium; .ci/run installs it)';
}

/** What happened while the page loaded. */
export interface PageVisit {
  requests: string[];
  console: string[];
  log: string[];
  issues: string[];
  value: unknown;
  screenshot: Buffer;
  /** With `print`: the page printed to PDF by Chromium (Page.printToPDF, Letter, default margins). */
  pdf: Buffer;
}

/** Loads `fileUrl`, waits for its load event, evaluates `expression` (returned by value) and screenshots the page. */
export async function visitPage(fileUrl: string, expression: string, options: { width?: number; height?: number; timeoutMs?: number; print?: boolean } = {}): Promise<PageVisit> {
  const chrome = spawn('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions', '--remote-debugging-pipe', `--window-size=${options.width ?? 1200},${options.height ?? 1600}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const toChrome = chrome.stdio[3] as Writable;
  const fromChrome = chrome.stdio[4] as Readable;
  const visit: PageVisit = { requests: [], console: [], log: [], issues: [], value: undefined, screenshot: Buffer.alloc(0), pdf: Buffer.alloc(0) };
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const waiters: Array<{ method: string; resolve: () => void }> = [];
  let nextId = 1;
  let buffered = '';
  fromChrome.setEncoding('utf8');
  fromChrome.on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffered.slice(0, end)) as { id?: number; method?: string; params?: Record<string, any>; result?: Record<string, unknown>; error?: { message: string } };
      buffered = buffered.slice(end + 1);
      if (message.id !== undefined) {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) p?.reject(new Error(message.error.message));
        else p?.resolve(message.result ?? {});
        continue;
      }
      const params = message.params ?? {};
      if (message.method === 'Network.requestWillBeSent') visit.requests.push(String(params.request?.url));
      if (message.method === 'Runtime.consoleAPICalled') visit.console.push(JSON.stringify(params.args));
      if (message.method === 'Runtime.exceptionThrown') visit.console.push(`exception: ${JSON.stringify(params.exceptionDetails?.text)}`);
      if (message.method === 'Log.entryAdded') visit.log.push(`${params.entry?.level} ${params.entry?.source}: ${params.entry?.text}`);
      if (message.method === 'Audits.issueAdded') visit.issues.push(String(params.issue?.code));
      for (const w of waiters.filter((x) => x.method === message.method)) w.resolve();
    }
  });
  let sessionId: string | undefined;
  const send = (method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    toChrome.write(`${JSON.stringify({ id, method, params, ...(sessionId !== undefined ? { sessionId } : {}) })}\0`);
  });
  const timer = setTimeout(() => chrome.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' }) as { targetId: string };
    sessionId = (await send('Target.attachToTarget', { targetId, flatten: true }) as { sessionId: string }).sessionId;
    await Promise.all([send('Network.enable'), send('Runtime.enable'), send('Log.enable'), send('Page.enable'), send('Audits.enable')]);
    // With `print`, the page is laid out with its print stylesheet before the expression runs.
    if (options.print === true) await send('Emulation.setEmulatedMedia', { media: 'print' });
    const loaded = new Promise<void>((resolve) => waiters.push({ method: 'Page.loadEventFired', resolve }));
    await send('Page.navigate', { url: fileUrl });
    await loaded;
    const evaluated = await send('Runtime.evaluate', { expression, returnByValue: true }) as { result?: { value?: unknown } };
    visit.value = evaluated.result?.value;
    const shot = await send('Page.captureScreenshot', { format: 'png' }) as { data: string };
    visit.screenshot = Buffer.from(shot.data, 'base64');
    if (options.print === true) visit.pdf = Buffer.from((await send('Page.printToPDF', {}) as { data: string }).data, 'base64');
    return visit;
  } finally {
    clearTimeout(timer);
    chrome.kill('SIGKILL');
  }
}
