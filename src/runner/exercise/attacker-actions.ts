/**
 * Runs one attacker call as the attacker's own identity and records it in the exercise log: the call
 * and its outcome (ok, refused by the cluster, failed), and for a create the object's intent before
 * the call and its uid after. Secret values are never recorded: a Secret read records its name and keys.
 */
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { objectForExercise } from '../../core/exercise/object-kinds.js';
import type { AttackerCall } from '../../core/exercise/scenario.js';
import { classify, createObject, listNames, readObjectRef } from '../../adapters/exercise/exercise-cluster.js';
import { recordEvent, type ExerciseLog } from '../../adapters/exercise/exercise-log.js';
import { utcNow } from '../../adapters/system/responder-env.js';

/** Who the attacker is and where it acts. */
export interface AttackerContext {
  log: ExerciseLog;
  exerciseId: number;
  namespace: string;
  /** The attacker's API client, or null when its token could not be obtained. */
  api: KubernetesObjectApi | null;
  identity: string;
  podIps: ReadonlyMap<string, string>;
}

const MAX_NAMES = 50;

/** Runs `call` (from action or inject `source`) and records it under `name`; never throws for API errors. */
export async function runAttackerCall(ctx: AttackerContext, name: string, call: AttackerCall, source: { kind: 'action' | 'inject'; description: string; technique: string | null }): Promise<string> {
  const base = { source: source.kind, description: source.description, technique: source.technique, identity: ctx.identity, do: call.do };
  const record = (detail: Record<string, unknown>, outcome: string) => {
    recordEvent(ctx.log, ctx.exerciseId, { at: utcNow(), kind: 'attacker-action', name, detail: { ...base, ...detail }, outcome });
    return outcome;
  };
  if (ctx.api === null) return record({ error: 'the attacker has no token (see the steal-token event)' }, 'failed');
  const api = ctx.api;
  if (call.do === 'list') {
    const where = call.allNamespaces ? null : ctx.namespace;
    const result = await classify(`list ${call.kind} ${where === null ? 'in every namespace' : `in ${where}`}`, () => listNames(api, call.apiVersion, call.kind, where));
    if (result.outcome !== 'ok') return record({ kind: call.kind, namespace: where, status: result.status, error: result.message }, result.outcome);
    return record({ kind: call.kind, namespace: where, count: result.value.length, names: result.value.slice(0, MAX_NAMES) }, 'ok');
  }
  if (call.do === 'get') {
    const ref = { apiVersion: call.apiVersion, kind: call.kind, namespace: ctx.namespace, name: call.name };
    const result = await classify(`get ${call.kind} ${ctx.namespace}/${call.name}`, () => readObjectRef(api, ref));
    if (result.outcome !== 'ok') return record({ kind: call.kind, namespace: ctx.namespace, name: call.name, status: result.status, error: result.message }, result.outcome);
    if (result.value === null) return record({ kind: call.kind, namespace: ctx.namespace, name: call.name, status: 404 }, 'not-found');
    const keys = call.kind === 'Secret' || call.kind === 'ConfigMap' ? Object.keys((result.value.data ?? {}) as Record<string, unknown>).sort() : undefined;
    return record({ kind: call.kind, namespace: ctx.namespace, name: call.name, uid: (result.value.metadata as { uid?: string } | undefined)?.uid ?? null, keys }, 'ok');
  }
  const object = objectForExercise(call.object, ctx.namespace, ctx.podIps);
  const meta = object.metadata as { name: string; namespace?: string };
  const ref = { apiVersion: String(object.apiVersion), kind: String(object.kind), namespace: meta.namespace ?? null, name: meta.name };
  const label = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  recordEvent(ctx.log, ctx.exerciseId, { at: utcNow(), kind: 'created-object', name: label, detail: { ...ref, uid: null, by: 'attacker', action: name }, outcome: 'intent' });
  const result = await classify(`create ${label}`, () => createObject(api, object));
  if (result.outcome !== 'ok') {
    recordEvent(ctx.log, ctx.exerciseId, { at: utcNow(), kind: 'created-object', name: label, detail: { ...ref, uid: null, by: 'attacker', action: name, error: result.message }, outcome: 'not-created' });
    return record({ ...ref, status: result.status, error: result.message }, result.outcome);
  }
  const uid = String(((result.value.metadata ?? {}) as { uid?: string }).uid ?? '');
  recordEvent(ctx.log, ctx.exerciseId, { at: utcNow(), kind: 'created-object', name: label, detail: { ...ref, uid, by: 'attacker', action: name }, outcome: 'created' });
  return record({ ...ref, uid }, 'ok');
}
