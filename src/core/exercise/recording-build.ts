/**
 * Builds a recording (see recording.ts) from one real lab run: the exercise log's attacker actions and
 * injects on the scenario clock, and from the custody log the lab team's moves (captures, isolations,
 * releases, revocations with their TokenReview subjects, ServiceAccounts deleted by `revoke
 * --service-account … --delete-sa`, persistence sweeps, pods deleted outside kustody) and per pod what its capture stored, as counts. Pure.
 */
import type { ScoreInput } from './score.js';
import { RECORDING_FORMAT, shortFacts, type RecordedEvent, type RecordedMove, type RecordedPod, type Recording } from './recording.js';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The recording of a finished lab run. */
export function buildRecording(input: ScoreInput, scenarioSha256: string, recordedAt: string): Recording {
  const { exercise } = input;
  const minuteOf = (at: string) => Math.max(0, Math.round(((Date.parse(at) - Date.parse(exercise.startedAt)) / 1000 / exercise.minuteSeconds) * 100) / 100);
  const prefix = `pod:${exercise.namespace}/`;
  const podOf = (value: unknown) => (typeof value === 'string' && value.startsWith(prefix) ? value.slice(prefix.length) : null);
  const accountPrefix = `serviceaccount:${exercise.namespace}/`;
  const accountOf = (value: unknown) => (typeof value === 'string' && value.startsWith(accountPrefix) ? value.slice(accountPrefix.length) : null);
  const events: RecordedEvent[] = input.events
    .filter((e) => e.kind === 'attacker-action' || (e.kind === 'inject' && e.outcome === 'fired'))
    .map((e) => ({ minute: minuteOf(e.at), kind: e.kind as RecordedEvent['kind'], name: e.name, outcome: e.outcome, detail: shortFacts(e.detail) }));
  const response: RecordedMove[] = [];
  const pods: Record<string, RecordedPod> = {};
  const pod = (name: string): RecordedPod => (pods[name] ??= { capture: null, revoked: [] });
  const seen = new Set<string>();
  const once = (move: RecordedMove) => {
    const key = `${move.move}:${move.pod ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    response.push(move);
  };
  const rowCounts = new Map<string, Record<string, number>>();
  for (const row of input.custody) {
    const d = isRecord(row.detail) ? row.detail : {};
    const target = podOf(row.target);
    if (row.kind === 'observe' && target !== null && isRecord(d.rows)) {
      const counts = rowCounts.get(target) ?? {};
      for (const [table, n] of Object.entries(d.rows)) if (typeof n === 'number') counts[table] = (counts[table] ?? 0) + n;
      rowCounts.set(target, counts);
    }
    if (row.kind === 'observe' && d.step === 'capture-end' && target !== null && row.outcome !== 'failed') {
      pod(target).capture = { status: row.outcome, rows: { ...(rowCounts.get(target) ?? {}) } };
      once({ minute: minuteOf(row.at), move: 'capture', pod: target });
    } else if (row.kind === 'observe' && d.sweep === 'persistence') {
      once({ minute: minuteOf(row.at), move: 'sweep', pod: null });
    } else if (row.kind === 'contain' && (d.plan === 'isolate' || d.plan === 'release') && podOf(d.plan_target) !== null && row.outcome === 'applied') {
      once({ minute: minuteOf(row.at), move: d.plan, pod: podOf(d.plan_target) });
    } else if (row.kind === 'revoke' && d.change_id === 'delete-sa' && row.outcome === 'applied' && accountOf(d.plan_target) !== null) {
      once({ minute: minuteOf(row.at), move: 'revoke-sa', pod: accountOf(d.plan_target) });
    } else if (row.kind === 'revoke' && d.step === 'verify-tokens' && target !== null && Array.isArray(d.checks)) {
      const revoked = d.checks.filter((c): c is Record<string, unknown> => isRecord(c) && c.outcome === 'revoked').map((c) => String(c.subject));
      pod(target).revoked = [...new Set([...pod(target).revoked, ...revoked])].sort();
      once({ minute: minuteOf(row.at), move: 'revoke', pod: target });
    }
  }
  for (const e of input.events) {
    const d = isRecord(e.detail) ? e.detail : {};
    if (e.kind === 'deleted-object' && e.outcome === 'gone' && d.kind === 'Pod' && d.read_back !== true && d.found_by !== 'sweep' && typeof d.name === 'string') {
      const revokedByKustody = input.custody.some((r) => r.kind === 'revoke' && r.target === `Pod ${exercise.namespace}/${String(d.name)}`);
      if (!revokedByKustody) once({ minute: minuteOf(e.at), move: 'delete', pod: d.name });
    }
  }
  response.sort((a, b) => a.minute - b.minute);
  return { format: RECORDING_FORMAT, scenario_id: input.scenario.id, scenario_sha256: scenarioSha256, recorded_at: recordedAt, namespace: exercise.namespace, minute_seconds: exercise.minuteSeconds, events, response, pods };
}
