// What the responder UI asks of the world, as narrow ports the command wires to adapters and the
// runner (src/ui never imports an adapter). Every string they return is escaped before display.
import type { ClusterStatus, PlaybookChoice } from '../core/ui/cluster-view.js';
import type { CustodyRecord } from '../core/ui/evidence-records.js';
import type { ReplayOutcome, ScenarioChoice } from '../core/exercise/replay-summary.js';
import type { PodEntry } from '../core/ui/pod-list.js';
import type { ChecklistPort, ConfirmPort, PlaybookEventSink } from '../runner/playbook-events.js';
import type { ReviewContent } from './ReviewApp.js';
import type { OpenTarget } from './state/flow.js';

/** The runner's front-end ports for one run. */
export interface RunPorts {
  readonly emit: PlaybookEventSink;
  readonly confirm: ConfirmPort;
  /** Waits while the responder ticks a checklist step's items, until they move on. */
  readonly checklist: ChecklistPort;
  readonly signal: AbortSignal;
}

/** The responder UI's ports. */
export interface ResponderPorts {
  /** Context, API server, identity and one SelfSubjectAccessReview per permission the playbooks need. */
  probeCluster(): Promise<ClusterStatus>;
  /** The shipped playbooks. */
  listPlaybooks(): Promise<PlaybookChoice[]>;
  /** Lists every pod with its risk signals, one page at a time. */
  loadPods(onPage: (entries: readonly PodEntry[]) => void, signal: AbortSignal): Promise<void>;
  /** Opens evidence read-only: the demo case, a case folder or bundle (verified first), or the case of the last run. */
  open(target: OpenTarget): Promise<ReviewContent>;
  /** Runs (or, with resume, continues) a playbook against `namespace/pod`, recording into the session's case; resolves when the run has finished. */
  startRun(input: { readonly playbookId: string; readonly pod: string; readonly dryRun: boolean; readonly resume: boolean; readonly cutConnections?: boolean }, ports: RunPorts): Promise<void>;
  /** The shipped tabletop scenarios that can be replayed with no cluster. */
  listScenarios?(): Promise<ScenarioChoice[]>;
  /** Replays a shipped scenario from its recorded lab run into a new case (no cluster); `progress` hears each line; resolves with the score and after-action summary. */
  replayScenario?(scenarioId: string, progress: (line: string) => void, signal: AbortSignal): Promise<ReplayOutcome>;
  /** Records a note in a case folder's custody log (absent: the browser refuses notes). */
  addNote?(caseDir: string, text: string): Promise<CustodyRecord>;
}
