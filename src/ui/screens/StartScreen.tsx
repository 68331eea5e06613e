// The start screen: the cluster (context, API server, who you are), the playbooks, and a permission
// check of what the chosen one needs; without a cluster, why, and what to do instead. Presentational.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import { display, escapeUntrusted, joinDisplay, trusted, type DisplayText } from '../../core/display/index.js';
import { checksFor, permissionLine, permissionVerdict, type ClusterStatus, type PlaybookChoice } from '../../core/ui/cluster-view.js';
import { cutDisplay, wrapDisplay } from '../../core/display/fit-text.js';
import { vantageLines } from '../../core/ui/vantage-offer.js';
import { Txt } from '../components/Txt.js';

/** Props of StartScreen. */
export interface StartScreenProps {
  readonly cluster: ClusterStatus;
  readonly playbooks: readonly PlaybookChoice[];
  readonly selected: number;
  readonly readOnly: boolean;
  /** A one-line message (an open that failed, a list that could not be read). */
  readonly notice: DisplayText | null;
  /** Whether the responder chose to cut surviving connections (c). */
  readonly cutConnections: boolean;
  readonly width: number;
  readonly rows: number;
}

const DANGER_TONE = { observe: 'ok', contain: 'warn', revoke: 'danger' } as const;

function Unreachable({ reason, nextStep, width }: { reason: string; nextStep: string; width: number }): ReactElement {
  return (
    <Box flexDirection="column">
      <Txt tone="danger" bold wrap="wrap">{display`No cluster reachable: ${escapeUntrusted(reason, { maxBytes: 1024 })}`}</Txt>
      <Txt tone="muted" wrap="wrap">{display`  next: ${escapeUntrusted(nextStep, { maxBytes: 512 })}`}</Txt>
      <Txt>{trusted(' ')}</Txt>
      <Txt bold>{trusted('What now?')}</Txt>
      <Txt>{cutDisplay(trusted('  x  replay a tabletop exercise from a recorded lab run (no cluster needed)'), width)}</Txt>
      <Txt>{cutDisplay(trusted('  l  start the practice lab (a real single-node Kubernetes on this machine): how to'), width)}</Txt>
      <Txt>{cutDisplay(trusted('  o  open a case folder or a bundle for review (read-only)'), width)}</Txt>
      <Txt>{cutDisplay(trusted('  d  open the demo case, recorded from a real lab run'), width)}</Txt>
      <Txt>{cutDisplay(trusted('  r  check the cluster again      q  quit'), width)}</Txt>
    </Box>
  );
}

/** Renders the start screen. */
export function StartScreen({ cluster, playbooks, selected, readOnly, notice, cutConnections, width, rows }: StartScreenProps): ReactElement {
  const mode = readOnly ? trusted('   [read-only: dry runs only, nothing in the cluster changes]') : trusted('');
  const chosen = playbooks[selected];
  // The vantage block wraps at words (its reasons are never cut); the permission table gives up about the rows it takes.
  const vantages = cluster.kind === 'ready' && cluster.vantages !== undefined ? vantageLines(cluster.vantages, cutConnections) : [];
  const vantageRows = vantages.reduce((n, line) => {
    const wrapped = wrapDisplay(line.text, width).length;
    return n + wrapped + (wrapped > 1 ? 1 : 0);
  }, 0);
  return (
    <Box flexDirection="column" width={width}>
      <Txt bold tone="accent">{cutDisplay(display`kustody · guided incident response${mode}`, width)}</Txt>
      {notice === null ? null : <Txt tone="warn" wrap="wrap">{notice}</Txt>}
      {cluster.kind === 'checking' ? <Txt tone="muted">{trusted('Checking the cluster (SelfSubjectReview, then one SelfSubjectAccessReview per permission)…')}</Txt> : null}
      {cluster.kind === 'unreachable' ? <Unreachable reason={cluster.reason} nextStep={cluster.nextStep} width={width} /> : null}
      {cluster.kind === 'ready' ? (
        <Box flexDirection="column">
          <Txt>{cutDisplay(display`Cluster  context ${escapeUntrusted(cluster.context)} · API server ${escapeUntrusted(cluster.server)}`, width)}</Txt>
          <Txt>{cutDisplay(display`You      ${escapeUntrusted(cluster.user)} (groups: ${joinDisplay(cluster.groups.map((g) => escapeUntrusted(g)), trusted(', '))})`, width)}</Txt>
          {cluster.credential === undefined ? null : <Txt>{cutDisplay(display`Login    ${escapeUntrusted(cluster.credential)}`, width)}</Txt>}
          {vantages.map((line, i) => <Txt key={`v${i}`} tone={line.tone} wrap="wrap">{line.text}</Txt>)}
          <Txt>{trusted(' ')}</Txt>
          <Txt bold>{trusted('Playbook (↑↓ choose, Enter pick the pod):')}</Txt>
          {playbooks.map((p, i) => (
            <Txt key={p.id} inverse={i === selected}>{cutDisplay(display`${i === selected ? trusted('›') : trusted(' ')} ${escapeUntrusted(p.title)}: ${escapeUntrusted(p.description)}`, width)}</Txt>
          ))}
          {chosen === undefined ? null : (
            <Box flexDirection="column">
              <Txt>
                <Txt tone="muted">{trusted('Steps: ')}</Txt>
                {chosen.steps.map((s, i) => (
                  <Txt key={s.id} tone={readOnly && s.danger !== 'observe' ? 'muted' : DANGER_TONE[s.danger as keyof typeof DANGER_TONE] ?? 'normal'}>
                    {display`${i === 0 ? trusted('') : trusted(' → ')}${escapeUntrusted(s.id)}${readOnly && s.danger !== 'observe' ? trusted(' (dry run)') : s.danger === 'observe' ? trusted('') : display` (${escapeUntrusted(s.danger)})`}`}
                  </Txt>
                ))}
              </Txt>
              <Txt bold>{cutDisplay(display`Permissions ${escapeUntrusted(chosen.id)} needs (SelfSubjectAccessReview):`, width)}</Txt>
              {checksFor(chosen, cluster.checks, readOnly).slice(0, Math.max(1, rows - playbooks.length - 15 - vantageRows)).map((check, i) => (
                <Txt key={i} tone={check.allowed === true ? 'ok' : check.allowed === false ? 'danger' : 'warn'}>{cutDisplay(permissionLine(check), width)}</Txt>
              ))}
              <Txt tone={permissionVerdict(checksFor(chosen, cluster.checks, readOnly)).ok ? 'ok' : 'warn'}>{cutDisplay(permissionVerdict(checksFor(chosen, cluster.checks, readOnly)).text, width)}</Txt>
            </Box>
          )}
        </Box>
      ) : null}
      <Txt tone="muted">{cutDisplay(cluster.kind === 'ready' ? trusted('Enter pick a pod  o open a case/bundle  d demo case  x replay  l lab  r re-check  ? help  q quit') : trusted('x replay  l lab  o open a case/bundle  d demo case  r re-check  ? help  q quit'), width)}</Txt>
    </Box>
  );
}
