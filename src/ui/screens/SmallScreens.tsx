// The responder UI's small screens: how to start the lab, the path prompt, "opening…", and the plan
// shown before a run starts. Presentational.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import { display, escapeUntrusted, trusted, type DisplayText } from '../../core/display/index.js';
import type { PlaybookChoice } from '../../core/ui/cluster-view.js';
import { cutDisplay } from '../../core/display/fit-text.js';
import type { PodEntry } from '../../core/ui/pod-list.js';
import { Txt } from '../components/Txt.js';

const LAB_LINES = [
  'The lab is a real single-node Kubernetes on this machine (root, Debian 12; first build ~6 min, later ~11 s):',
  '',
  '  npm run lab -- up                          start it (from the kustody source folder)',
  '  npm run lab -- scenario shop               a web app, a client and a compromised `suspect` pod',
  '  eval "$(npm run -s lab -- env)"             KUBECONFIG and the lab\'s kubectl on PATH',
  '  export KUBECONFIG=$KUSTODY_LAB_RESPONDER_KUBECONFIG   act as the least-privilege responder',
  '  kustody                                    then pick compromised-pod and shop/suspect',
  '',
  'No cluster at all? Press x on the start screen to replay a tabletop scenario from a recorded lab run',
  '(changes simulated), or from the command line:',
  '  kustody exercise replay token-theft --case CASE --yes     (CASE from kustody case new)',
  '  kustody exercise score CASE                               scored as a live exercise',
  '',
  'When you are done: npm run lab -- down   (see test/lab/README.md)',
];

/** How to start the practice lab. */
export function LabHelp({ width }: { width: number }): ReactElement {
  return (
    <Box flexDirection="column">
      <Txt bold tone="accent">{trusted('Practice on the kustody lab')}</Txt>
      {LAB_LINES.map((line, i) => <Txt key={i}>{cutDisplay(escapeUntrusted(line), width)}</Txt>)}
      <Txt tone="muted">{trusted('Esc or Enter: back')}</Txt>
    </Box>
  );
}

/** The prompt for a case folder or bundle path. */
export function OpenPath({ text, width }: { text: string; width: number }): ReactElement {
  return (
    <Box flexDirection="column">
      <Txt bold tone="accent">{trusted('Open a case folder or a bundle (.tar) for review, read-only')}</Txt>
      <Txt tone="muted">{trusted('A bundle is verified first and refused if anything in it was changed.')}</Txt>
      <Txt>{cutDisplay(display`path: ${escapeUntrusted(text)}█`, width)}</Txt>
      <Txt tone="muted">{trusted('Enter open  Esc back')}</Txt>
    </Box>
  );
}

/** Shown while evidence is verified and read. */
export function Opening(): ReactElement {
  return <Txt tone="muted">{trusted('Verifying and opening (read-only)…')}</Txt>;
}

/** Props of RunIntro. */
export interface RunIntroProps {
  readonly playbook: PlaybookChoice;
  readonly pod: PodEntry;
  readonly readOnly: boolean;
  /** The responder turned on the cut (c on the start screen): every isolate step also cuts surviving connections. */
  readonly cutConnections?: boolean;
  readonly width: number;
}

/** The plan before a run starts: the playbook, the pod, every step with its danger, and what Enter does. */
export function RunIntro({ playbook, pod, readOnly, cutConnections, width }: RunIntroProps): ReactElement {
  const verdict: DisplayText = readOnly
    ? trusted('Read-only: this is a dry run. Contain and revoke steps are only planned and checked by the API server; nothing changes.')
    : trusted('Contain and revoke steps each show exactly what they change and wait for you to type the pod\'s namespace/name.');
  return (
    <Box flexDirection="column" width={width}>
      <Txt bold tone="accent">{cutDisplay(display`${escapeUntrusted(playbook.title)} against ${pod.namespace}/${pod.name}`, width)}</Txt>
      <Txt wrap="wrap" tone="muted">{escapeUntrusted(playbook.description)}</Txt>
      {playbook.steps.map((s, i) => (
        <Txt key={s.id} tone={s.danger === 'observe' ? 'normal' : s.danger === 'contain' ? 'warn' : 'danger'}>
          {cutDisplay(display`  ${i + 1}. ${escapeUntrusted(s.title)} (${escapeUntrusted(s.id)}, ${escapeUntrusted(readOnly && s.danger !== 'observe' ? 'dry run' : s.danger)})`, width)}
        </Txt>
      ))}
      {pod.details.length === 0 ? null : <Txt tone="warn">{cutDisplay(display`Risk: ${pod.tags}`, width)}</Txt>}
      {cutConnections === true && playbook.steps.some((s) => s.action === 'isolate') ? <Txt wrap="wrap" tone="warn">{trusted('Cut on: the isolate step also cuts every connection that survives the policy, from a guarded pod on the suspect\'s node (c on the start screen).')}</Txt> : null}
      <Txt wrap="wrap">{verdict}</Txt>
      <Txt tone="muted">{trusted('Every step is recorded in a new case before it acts. Enter start  Esc back to the pods')}</Txt>
    </Box>
  );
}
