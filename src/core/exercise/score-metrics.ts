/** The timings and facts an after-action review always reports, whatever the scenario scores: each with the row behind it. Pure. */
import type { Scenario } from './scenario-types.js';
import { evidenceOf, simulatedMark, type EvidenceRef, type ScoreFacts } from './score-facts.js';

/** One measured fact of the exercise (not scored by itself). */
export interface ScoreMetric {
  id: 'time-to-first-capture' | 'time-to-isolation' | 'volatile-before-containment' | 'attacker-identity-revoked';
  text: string;
  /** Seconds since the start for timings, a count for hints, 1/0 for yes/no; null when it never happened. */
  value: number | null;
  evidence: EvidenceRef[];
}

/** Measures the fixed metrics. */
export function timingMetrics(facts: ScoreFacts, exercise: { namespace: string; startedAt: string; minuteSeconds: number }, scenario: Scenario): ScoreMetric[] {
  const inNs = (pod: string) => pod.startsWith(`${exercise.namespace}/`);
  const seconds = (at: string) => Math.round((Date.parse(at) - Date.parse(exercise.startedAt)) / 100) / 10;
  const timing = (at: string) => `${seconds(at)} s (${(seconds(at) / exercise.minuteSeconds).toFixed(1)} scenario minutes)`;
  const capture = facts.captures.find((c) => inNs(c.pod));
  const isolation = facts.planRows.find((r) => inNs(r.pod) && r.plan === 'isolate');
  const contained = [...new Set(facts.planRows.filter((r) => inNs(r.pod) && r.plan !== 'collector' && r.plan !== 'cleanup').map((r) => r.pod))];
  const early = contained.map((pod) => ({ pod, first: facts.planRows.find((r) => r.pod === pod && r.plan !== 'collector' && r.plan !== 'cleanup'), capture: facts.captures.find((c) => c.pod === pod) }))
    .filter((c) => c.first !== undefined && (c.capture === undefined || c.capture.seq > c.first.seq));
  const subject = `system:serviceaccount:${exercise.namespace}:${scenario.attacker.serviceAccount}`;
  const proof = facts.tokenVerdicts.find((v) => v.revoked.includes(subject));
  const reopened = proof === undefined ? undefined : facts.tokenVerdicts.find((v) => v.seq > proof.seq && v.stillValid.includes(subject));
  return [
    { id: 'time-to-first-capture', text: capture === undefined ? 'no capture' : `first capture${simulatedMark(capture)} after ${timing(capture.at)}`, value: capture === undefined ? null : seconds(capture.at), evidence: capture === undefined ? [] : [evidenceOf(capture)] },
    { id: 'time-to-isolation', text: isolation === undefined ? 'no isolation' : `first isolation${simulatedMark(isolation)} after ${timing(isolation.at)}`, value: isolation === undefined ? null : seconds(isolation.at), evidence: isolation === undefined ? [] : [evidenceOf(isolation)] },
    {
      id: 'volatile-before-containment',
      text: contained.length === 0 ? 'nothing contained' : early.length === 0 ? `every contained pod (${contained.length}) was captured first` : `contained before any capture: ${early.map((e) => e.pod).join(', ')}`,
      value: contained.length === 0 ? null : early.length === 0 ? 1 : 0,
      evidence: early.flatMap((e) => (e.first === undefined ? [] : [evidenceOf(e.first)])),
    },
    {
      id: 'attacker-identity-revoked',
      text: proof === undefined ? `no TokenReview proof for ${subject}` : reopened !== undefined ? `${subject} found valid again after its proof` : `${subject} proven dead by TokenReview${simulatedMark(proof)}`,
      value: proof === undefined || reopened !== undefined ? 0 : 1,
      evidence: [proof, reopened].filter((f) => f !== undefined).map(evidenceOf),
    },
  ];
}
