/**
 * `kustody review CASE|BUNDLE|--demo` (the read-only evidence browser) and `kustody` with no
 * arguments on a terminal (the guided responder UI). This file only wires: adapters read the case,
 * the cluster and the runner act, src/ui renders.
 */
import { join } from 'node:path';
import { createElement } from 'react';
import { display, escapeUntrusted, toSafeJson, trusted } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import type { PlaybookChoice } from '../core/ui/cluster-view.js';
import { permissionsFor } from '../core/ui/permission-needs.js';
import { podEntry } from '../core/ui/pod-list.js';
import { outboundByPod } from '../core/ui/sa-reach.js';
import type { KubeClients, KubeConnectOptions } from '../adapters/kube/kube-client.js';
import { CASE_DB_FILE, createCase, resolveCaseDir } from '../adapters/store/case-store.js';
import { openReadableDb } from '../adapters/store/open-store.js';
import { readResponderIdentity, utcNow } from '../adapters/system/responder-env.js';
import { readConnections } from '../adapters/ui-data/read-evidence.js';
import { addCaseNote } from '../adapters/ui-data/add-note.js';
import { refusalLines } from '../core/ui/review-view.js';
import { demoBundlePath, looksLikeCase, openBundleForReview, openCaseForReview, type ReviewOpening } from '../adapters/ui-data/open-review.js';
import { ReviewApp, type ReviewContent } from '../ui/ReviewApp.js';
import { isInteractive, runApp, type Terminal } from '../ui/render-app.js';
import type { ResponderPorts } from '../ui/ports.js';
import { ResponderApp } from '../ui/ResponderApp.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { CollectorImage } from '../adapters/kube/pod-collectors.js';
import { configFilePath } from '../adapters/system/config-file.js';
import { ALL_VANTAGE_NEEDS, vantageOffers, withheldVantages, type ConfiguredImages, type VantageOffers } from '../core/ui/vantage-offer.js';
import { collectorImageOption, netcutImageOption } from './collector-options.js';
import { KUBE_FLAGS_USAGE, KUBE_OPTIONS, kubeOptionsFromFlags, parsePodTarget } from './kube-options.js';
import { defaultCaseParent, type Command, type CommandContext } from './command.js';

/** The terminal a command's UI uses: the process's own. */
function processTerminal(env: NodeJS.ProcessEnv): Terminal {
  return { stdout: process.stdout, stdin: process.stdin, env };
}

/** Opens what `review` was given: the shipped demo bundle, a case folder, or a bundle to verify first. */
export async function openForReview(target: { demo: boolean; path?: string; pubkey?: string; sha256?: string }, env: NodeJS.ProcessEnv): Promise<ReviewOpening> {
  if (target.demo) return openBundleForReview(demoBundlePath(), { kind: 'demo', pubkeyPath: target.pubkey, expectedSha256: target.sha256 });
  const path = target.path ?? '';
  if (looksLikeCase(path)) return openCaseForReview(path, defaultCaseParent(env));
  return openBundleForReview(path, { pubkeyPath: target.pubkey, expectedSha256: target.sha256 });
}

/** What the review screen shows for an opening. */
export function reviewContent(opening: ReviewOpening): ReviewContent {
  return opening.ok ? { kind: 'evidence', data: opening.data } : { kind: 'refused', lines: refusalLines(opening.path, opening.report) };
}

/** `kustody review`: browse a case or a verified bundle, read-only. */
export const reviewCommand: Command = {
  path: ['review', ''],
  usage: 'kustody review (CASE | BUNDLE.tar | --demo) [--pubkey KEY.pub] [--sha256 HEX] [--json]',
  summary: 'browse a case or a verified bundle read-only (processes, connections, mounts, credentials, objects, custody log)',
  help: [
    'CASE is a case folder (or its evidence.db); it is opened read-only and its custody chain is recomputed.',
    'A bundle is copied to a private folder and verified first (hashes, signature with --pubkey, database integrity,',
    'custody chain, every stored row); a bundle that does not verify is refused with what failed, and nothing from it is shown.',
    'The heading says AUTHENTIC (signature valid for --pubkey, or SHA-256 equal to --sha256) or CONSISTENT (origin not proven), as `bundle verify` does.',
    '--demo opens the demo case shipped with kustody (recorded from a real lab run; regenerate with scripts/make-demo-case.sh).',
    'Needs a terminal. Keys: ? help, Tab/1-6 tabs, / filter, arrows and PgUp/PgDn move, q quit.',
    'With --json, prints the verification outcome and row counts instead of opening the browser.',
  ].join('\n'),
  options: { demo: { type: 'boolean' }, pubkey: { type: 'string' }, sha256: { type: 'string' }, 'read-only': { type: 'boolean' } },
  positionals: { min: 0, max: 1 },
  async run(args, context: CommandContext) {
    const demo = args.values.demo === true;
    const path = args.positionals[0];
    if (demo === (path !== undefined)) throw new UsageError('review takes a CASE or BUNDLE, or --demo (one of them).', `Usage: ${reviewCommand.usage}`);
    const terminal = processTerminal(context.env);
    const sha256 = args.values.sha256;
    if (sha256 !== undefined && (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256))) throw new UsageError('--sha256 takes the 64 hex digits printed by `kustody bundle export` (or sha256sum).');
    const opening = await openForReview({ demo, path, pubkey: typeof args.values.pubkey === 'string' ? args.values.pubkey : undefined, sha256: typeof sha256 === 'string' ? sha256 : undefined }, context.env);
    if (context.json) {
      context.io.out(toSafeJson(opening.ok
        ? { ok: true, case_id: opening.data.caseId, verdict: opening.report?.verdict ?? null, integrity: opening.data.origin.integrity, counts: { processes: opening.data.processes.length, connections: opening.data.connections.length, mounts: opening.data.mounts.length, credentials: opening.data.credentials.length, k8s_objects: opening.data.objects.length, actions: opening.data.custody.length } }
        : { ok: false, status: opening.report.status, findings: opening.report.findings }));
      return opening.ok ? 0 : refusalExitCode(opening.report.status);
    }
    if (!isInteractive(terminal)) {
      if (!opening.ok) for (const line of refusalLines(opening.path, opening.report)) context.io.err(line);
      else throw new UsageError('review needs an interactive terminal (stdin and stdout).', 'Run it in a terminal, or pass --json (or use `kustody case show`) for text output.');
    } else await runApp(createElement(ReviewApp, { content: reviewContent(opening), addNote: noteWriter }), terminal);
    if (!opening.ok) {
      context.io.err(display`kustody: ${escapeUntrusted(opening.path)} was refused: it is ${escapeUntrusted(opening.report.status)}.`);
      context.io.err(trusted('  next: see the findings above, or run `kustody bundle verify` on it.'));
      return refusalExitCode(opening.report.status);
    }
    return 0;
  },
};

/** Writes the browser's notes (`n`) into a case folder's custody log, as `kustody case note` does. */
const noteWriter = async (caseDir: string, text: string) => addCaseNote(caseDir, text);

/** Exit code of a refused review, as `bundle verify` gives it: 2 for what is not a readable bundle, 1 for a tampered one. */
function refusalExitCode(status: string): number {
  return status === 'unreadable' ? 2 : 1;
}

/** Options of the responder UI. */
export interface ResponderUiOptions {
  readonly readOnly: boolean;
  readonly caseArg?: string;
  /** The cluster flags (--kubeconfig, --context, --cluster, --user, -n, --allow-exec-plugin). */
  readonly kube: KubeConnectOptions;
  /** --collector-image and --collector-pull-policy, if given (else KUSTODY_COLLECTOR_IMAGE, else the settings file). */
  readonly imageFlags?: Record<string, string | boolean | undefined>;
}

/** The images the UI may use, resolved before it draws (a broken settings file stops it with the file's path). */
function uiImages(options: ResponderUiOptions, env: NodeJS.ProcessEnv): UiImages {
  return { collector: collectorImageOption(options.imageFlags ?? {}, env), netcut: netcutImageOption({}, env), configPath: configFilePath(env) };
}

type UiImages = ConfiguredImages & { readonly collector?: CollectorImage & { source: string }; readonly netcut?: CollectorImage & { source: string } };

// The cluster client, the runner and the playbook loader take a while to load: the UI draws first.
const loadClusterModules = async () => {
  const [probe, pods, playbookFiles, runner] = await Promise.all([
    import('../adapters/ui-data/cluster-probe.js'), import('../adapters/ui-data/pod-source.js'),
    import('../adapters/playbook/playbook-files.js'), import('../runner/start-playbook-run.js'),
  ]);
  return { ...probe, ...pods, ...playbookFiles, ...runner };
};

/** Builds the responder UI's ports from the adapters and the runner; the cluster client loads on first use. */
function responderPorts(options: ResponderUiOptions, env: NodeJS.ProcessEnv, images: UiImages): { ports: ResponderPorts; running: () => boolean } {
  let modules: ReturnType<typeof loadClusterModules> | undefined;
  const load = () => (modules ??= loadClusterModules());
  const kubeOptions = options.kube;
  let kube: KubeClients | null = null;
  let caseDir = options.caseArg === undefined ? null : resolveCaseDir(options.caseArg, defaultCaseParent(env));
  let active = 0;
  let offers: VantageOffers | undefined;
  const playbooks = async (): Promise<PlaybookChoice[]> => {
    const m = await load();
    return m.shippedPlaybookFiles().map((file) => m.loadPlaybook(file).playbook)
      .filter((p): p is NonNullable<typeof p> => p !== null)
      .map((p) => ({ id: p.id, title: p.title, description: p.description, needsToken: p.inputs.includes('token'), steps: p.steps.map((s) => ({ id: s.id, title: s.title, action: s.action, danger: s.danger })) }));
  };
  const outbound = (): Map<string, number> => {
    if (caseDir === null) return new Map();
    const db = openReadableDb(join(caseDir, CASE_DB_FILE));
    try {
      return outboundByPod(readConnections(db));
    } finally {
      db.close();
    }
  };
  const ports: ResponderPorts = {
    async probeCluster() {
      const needs = [...permissionsFor((await playbooks()).flatMap((p) => p.steps.map((s) => s.action))), ...ALL_VANTAGE_NEEDS];
      const probe = await (await load()).probeCluster(kubeOptions, env, needs);
      kube = probe.kube;
      if (probe.status.kind !== 'ready') return probe.status;
      offers = vantageOffers(images, probe.status.checks, options.readOnly);
      return { ...probe.status, vantages: offers };
    },
    listPlaybooks: playbooks,
    async loadPods(onPage, signal) {
      if (kube === null) throw new UsageError('No cluster is connected.', 'Press r on the start screen to check again.');
      const m = await load();
      const context = { ...(await m.readRiskContext(kube)), outbound: outbound() };
      for await (const page of m.podPages(kube)) {
        if (signal.aborted) return;
        onPage(page.map((pod) => podEntry(pod, context)));
      }
    },
    async open(target) {
      if ('runCase' in target) {
        if (caseDir === null) throw new UsageError('No run has recorded a case yet.');
        return reviewContent(openCaseForReview(caseDir, defaultCaseParent(env)));
      }
      return reviewContent(await openForReview('demo' in target ? { demo: true } : { demo: false, path: target.path }, env));
    },
    addNote: noteWriter,
    listScenarios: async () => (await import('../runner/exercise/replay-shipped.js')).listShippedScenarios(),
    // One second a scenario minute: a shipped replay plays in well under a minute, the clock still visible.
    replayScenario: async (scenarioId, progress, signal) => (await import('../runner/exercise/replay-shipped.js')).replayShipped({ scenarioId, caseParent: defaultCaseParent(env), minuteSeconds: 1, signal, progress }),
    async startRun(input, runPorts) {
      if (kube === null) throw new UsageError('No cluster is connected.');
      if (caseDir === null || (!input.resume && options.caseArg === undefined)) {
        const who = readResponderIdentity();
        const created = createCase({ parentDir: defaultCaseParent(env), title: `${input.playbookId} ${input.pod}${input.dryRun ? ' (dry run)' : ''}`, now: utcNow(), toolName: TOOL_NAME, toolVersion: TOOL_VERSION, ...who });
        created.db.close();
        caseDir = created.path;
      }
      active += 1;
      try {
        await (await load()).startPlaybookRun({
          playbook: input.playbookId, target: parsePodTarget(input.pod), caseDir, kube, dryRun: input.dryRun, resume: input.resume, tokens: [],
          auditLogs: env.KUSTODY_AUDIT_LOG ? [env.KUSTODY_AUDIT_LOG] : [],
          ...runImages(images, offers, input), commandEnv: (kubeOptions.kubeconfig ?? env.KUBECONFIG) === undefined ? {} : { KUBECONFIG: kubeOptions.kubeconfig ?? env.KUBECONFIG ?? '' },
        }, runPorts);
      } finally {
        active -= 1;
      }
    },
  };
  return { ports, running: () => active > 0 };
}

/** Opens the responder UI on this terminal; returns the exit code (130 when left during a run). */
export async function launchResponderUi(options: ResponderUiOptions, context: CommandContext): Promise<number> {
  const terminal = processTerminal(context.env);
  if (!isInteractive(terminal)) throw new UsageError('The guided UI needs an interactive terminal.', 'Run `kustody` in a terminal, or use `kustody run PLAYBOOK --target NS/POD --case CASE` headless.');
  const { ports, running } = responderPorts(options, context.env, uiImages(options, context.env));
  await runApp(createElement(ResponderApp, { ports, readOnly: options.readOnly }), terminal);
  // Left with a second Ctrl-C while a step ran: the intent log makes that resumable, like a crash.
  return running() ? 130 : 0;
}

/** `kustody ui`: the guided terminal UI with its flags (`kustody` alone opens it with none). */
export const uiCommand: Command = {
  path: ['ui', ''],
  usage: `kustody [ui] [--read-only] [--case CASE] [--collector-image IMAGE [--collector-pull-policy P]] ${KUBE_FLAGS_USAGE}`,
  summary: 'the guided terminal UI: cluster check, pod picker with risk signals, playbook steps, evidence browser',
  help: [
    '`kustody` alone on a terminal opens the same UI, and `kustody --context NAME -n NS ...` opens it with those flags. Every run is recorded in a new case under',
    '$KUSTODY_CASE_DIR (default ./cases), or in --case CASE (whose captured connections then mark pods with outbound traffic).',
    '--read-only hides every mutating action: playbooks run as dry runs (nothing in the cluster changes, no confirmation is asked).',
    'The debug and node capture vantages are offered when a collector image is configured (--collector-image, KUSTODY_COLLECTOR_IMAGE, or collectorImage: in',
    '$XDG_CONFIG_HOME/kustody/config.yaml) and the API server says you may use them; the start screen says why when not. Each footprint is shown and confirmed before use.',
    'Keys: ? help everywhere; contain and revoke steps need the pod\'s namespace/name typed exactly; Ctrl-C stops after the current change.',
  ].join('\n'),
  options: { ...KUBE_OPTIONS, 'read-only': { type: 'boolean' }, case: { type: 'string' }, 'collector-image': { type: 'string' }, 'collector-pull-policy': { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(args, context) {
    const v = args.values;
    return launchResponderUi({
      readOnly: v['read-only'] === true, caseArg: typeof v.case === 'string' ? v.case : undefined,
      kube: kubeOptionsFromFlags(v), imageFlags: v,
    }, context);
  },
};

/** What a run started from the UI may use: footprint vantages and the cut only as offered, never in a dry run. */
function runImages(images: UiImages, offers: VantageOffers | undefined, input: { dryRun: boolean; cutConnections?: boolean }) {
  const footprint = offers !== undefined && (offers.debug.offered || offers.node.offered);
  const cutOffered = offers?.cut.offered === true;
  return {
    allowFootprint: footprint && !input.dryRun,
    collectorImage: footprint ? images.collector : undefined,
    withheldVantages: offers === undefined ? undefined : withheldVantages(offers),
    // Also for a playbook whose isolate step cuts by itself (data-exfiltration); the toggle adds the cut to every isolate step.
    netcutImage: cutOffered ? images.netcut : undefined,
    cutConnections: cutOffered && input.cutConnections === true,
  };
}
