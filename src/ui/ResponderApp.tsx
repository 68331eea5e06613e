// `kustody` on a terminal: the guided response. One reducer (state/flow.ts) decides; this container
// forwards keys to it, performs the effects it asks for through the ports, and picks the screen.
import { Box, useApp, useInput } from 'ink';
import { useEffect, useMemo, useReducer, useRef, type ReactElement } from 'react';
import { display, escapeUntrusted, redactError, trusted } from '../core/display/index.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { useRunEvents } from './hooks/use-run-events.js';
import { useTerminalSize, type TerminalSize } from './hooks/use-terminal-size.js';
import { keyPresses } from './keymap.js';
import type { ResponderPorts } from './ports.js';
import { CaseBrowser } from './screens/CaseBrowser.js';
import { PodPicker, pickerPageSize } from './screens/PodPicker.js';
import { ReviewRefused } from './screens/ReviewRefused.js';
import { LabHelp, Opening, OpenPath, RunIntro } from './screens/SmallScreens.js';
import { StartScreen } from './screens/StartScreen.js';
import { ReplayPick, ReplayProgress } from './screens/ReplayScreens.js';
import { StepView } from './screens/StepView.js';
import { initialFlow, reduceFlow, type FlowEffect, type FlowState } from './state/flow.js';

/** Props of ResponderApp. */
export interface ResponderAppProps {
  readonly ports: ResponderPorts;
  readonly readOnly: boolean;
  readonly size?: TerminalSize;
  /** Called once when the app leaves (after a run has stopped, if one was started). */
  readonly onExit?: () => void;
}

const HELP_SECTIONS = { start: ['start'], lab: ['start'], 'open-path': ['start'], opening: [], picker: ['picker'], 'confirm-start': ['run'], run: ['run'], browser: ['browser'], 'replay-pick': ['start'], replay: ['start'] } as const;

function Screen({ state, width, rows }: { state: FlowState; width: number; rows: number }): ReactElement | null {
  const playbook = state.playbooks[state.playbook];
  switch (state.screen) {
    case 'start': return <StartScreen cluster={state.cluster} playbooks={state.playbooks} selected={state.playbook} readOnly={state.readOnly} notice={state.notice} cutConnections={state.cutConnections} width={width} rows={rows} />;
    case 'lab': return <LabHelp width={width} />;
    case 'open-path': return <OpenPath text={state.pathText} width={width} />;
    case 'opening': return <Opening />;
    case 'picker': {
      const heading = display`Pick the pod for ${playbook === undefined ? trusted('the playbook') : escapeUntrusted(playbook.title)}${state.readOnly ? trusted(' (read-only: dry run)') : trusted('')}`;
      return <PodPicker state={state.picker} load={{ done: state.pods.done, error: state.pods.error }} heading={heading} width={width} pageSize={pickerPageSize(rows)} />;
    }
    case 'confirm-start': return playbook === undefined || state.pod === null ? null : <RunIntro playbook={playbook} pod={state.pod} readOnly={state.readOnly} cutConnections={state.cutConnections} width={width} />;
    case 'run': return <StepView run={state.run} readOnly={state.readOnly} width={width} rows={rows} />;
    case 'browser': return null;
    case 'replay-pick': return <ReplayPick replay={state.replay} width={width} />;
    case 'replay': return <ReplayProgress replay={state.replay} width={width} rows={rows} />;
  }
}

/** The responder application. */
export function ResponderApp({ ports, readOnly, size: fixed, onExit }: ResponderAppProps): ReactElement {
  const [state, dispatch] = useReducer(reduceFlow, readOnly, initialFlow);
  const run = useRunEvents(dispatch);
  const { exit } = useApp();
  const size = useTerminalSize(fixed);
  const pageSize = state.screen === 'run' ? Math.max(3, size.rows - 12) : pickerPageSize(size.rows);
  const pods = useMemo(() => new AbortController(), []);
  const replays = useRef<AbortController | null>(null);

  // Always subscribed (the flow ignores keys while the browser, which reads its own, is up): toggling
  // isActive would switch raw mode off and on, and a key typed in between would be echoed.
  useInput((input, key) => {
    for (const press of keyPresses(input, key)) dispatch({ type: 'key', press, pageSize });
  });

  useEffect(() => {
    ports.listPlaybooks().then((list) => dispatch({ type: 'playbooks', list }), (error: unknown) => dispatch({ type: 'open-failed', message: `The playbooks could not be read: ${String(redactError(error))}` }));
  }, [ports]);

  // The reducer queues effects; each is taken once and performed here, with its outcome dispatched back.
  useEffect(() => {
    if (state.effects.length === 0) return;
    const effects = state.effects;
    dispatch({ type: 'effects-taken', count: effects.length });
    for (const effect of effects) perform(effect);
    function perform(effect: FlowEffect): void {
      switch (effect.kind) {
        case 'probe': void ports.probeCluster().then((status) => dispatch({ type: 'cluster', status })); return;
        case 'load-pods':
          void ports.loadPods((entries) => dispatch({ type: 'pods', entries }), pods.signal)
            .then(() => dispatch({ type: 'pods-done', error: null }), (error: unknown) => dispatch({ type: 'pods-done', error: String(redactError(error)) }));
          return;
        case 'open':
          void ports.open(effect.target).then((content) => dispatch({ type: 'opened', content }), (error: unknown) => dispatch({ type: 'open-failed', message: String(redactError(error)) }));
          return;
        case 'start-run':
          void ports.startRun({ playbookId: effect.playbookId, pod: effect.pod, dryRun: state.readOnly, resume: effect.resume, cutConnections: effect.cutConnections }, run.begin())
            .catch((error: unknown) => dispatch({ type: 'run-failed', message: redactError(error) }));
          return;
        case 'answer': run.answer(effect.ok); return;
        case 'tick': run.tick(effect.index, effect.note); return;
        case 'checklist-done': run.leaveChecklist(); return;
        case 'interrupt': run.interrupt(); return;
        case 'list-scenarios':
          if (ports.listScenarios === undefined) return dispatch({ type: 'scenarios-failed', message: 'replay is not available here' });
          void ports.listScenarios().then((list) => dispatch({ type: 'scenarios', list }), (error: unknown) => dispatch({ type: 'scenarios-failed', message: String(redactError(error)) }));
          return;
        case 'start-replay': {
          if (ports.replayScenario === undefined) return dispatch({ type: 'replay-failed', message: 'replay is not available here' });
          const controller = new AbortController();
          replays.current = controller;
          void ports.replayScenario(effect.scenarioId, (line) => dispatch({ type: 'replay-line', line }), controller.signal)
            .then((outcome) => dispatch({ type: 'replay-done', outcome }), (error: unknown) => dispatch({ type: 'replay-failed', message: String(redactError(error)) }));
          return;
        }
        case 'stop-replay': replays.current?.abort(); return;
        case 'quit':
          run.interrupt();
          replays.current?.abort();
          pods.abort();
          onExit?.();
          exit();
          return;
      }
    }
  }, [state.effects, state.readOnly, ports, run, pods, exit, onExit]);

  if (state.screen === 'browser' && state.browser !== null) {
    const leave = (how: 'quit' | 'back') => () => dispatch({ type: 'browser-left', how });
    if (state.browser.kind === 'refused') return <ReviewRefused lines={state.browser.lines} onQuit={leave('back')} size={fixed} />;
    return <CaseBrowser data={state.browser.data} onQuit={leave('quit')} onBack={leave('back')} addNote={ports.addNote} size={fixed} />;
  }
  return (
    <Box flexDirection="column" width={size.columns}>
      {state.help ? <HelpOverlay sections={HELP_SECTIONS[state.screen]} readOnly={state.readOnly} height={size.rows - 2} /> : <Screen state={state} width={size.columns} rows={size.rows} />}
    </Box>
  );
}
