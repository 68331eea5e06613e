// The parts of a pod spec that say where secrets reach a container, typed structurally so a
// client-node `V1PodSpec` or parsed JSON both fit. Every field is optional and checked at run time:
// the spec was written by whoever could create the pod.

/** A `secretKeyRef`, `secretRef` or `configMapRef`: which object, and for a key reference which key. */
export interface ObjectKeyRef {
  readonly name?: string;
  readonly key?: string;
}

/** One `env` entry of a container. */
export interface EnvVarLike {
  readonly name?: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: ObjectKeyRef; readonly configMapKeyRef?: ObjectKeyRef };
}

/** One `envFrom` entry of a container. */
export interface EnvFromLike {
  readonly prefix?: string;
  readonly secretRef?: ObjectKeyRef;
  readonly configMapRef?: ObjectKeyRef;
}

/** One `volumeMounts` entry of a container. */
export interface VolumeMountLike {
  readonly name?: string;
  readonly mountPath?: string;
  readonly subPath?: string;
}

/** A container, init container or ephemeral container. */
export interface ContainerLike {
  readonly name?: string;
  readonly env?: readonly EnvVarLike[];
  readonly envFrom?: readonly EnvFromLike[];
  readonly volumeMounts?: readonly VolumeMountLike[];
}

/** A `key` → `path` item of a Secret or projected volume. */
export interface KeyToPathLike {
  readonly key?: string;
  readonly path?: string;
}

/** One source of a projected volume. */
export interface VolumeProjectionLike {
  readonly serviceAccountToken?: { readonly path?: string; readonly audience?: string; readonly expirationSeconds?: number };
  readonly secret?: { readonly name?: string; readonly items?: readonly KeyToPathLike[] };
}

/** A pod volume; only Secret, projected and CSI volumes matter here. */
export interface VolumeLike {
  readonly name?: string;
  readonly secret?: { readonly secretName?: string; readonly items?: readonly KeyToPathLike[] };
  readonly projected?: { readonly sources?: readonly VolumeProjectionLike[] };
  readonly csi?: { readonly driver?: string };
}

/** The pod spec fields credential detection reads. */
export interface PodSpecLike {
  readonly serviceAccountName?: string;
  readonly volumes?: readonly VolumeLike[];
  readonly containers?: readonly ContainerLike[];
  readonly initContainers?: readonly ContainerLike[];
  readonly ephemeralContainers?: readonly ContainerLike[];
}

/** Returns the list if the value is an array, else an empty one: hostile JSON may put anything anywhere. */
export function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** Returns the value if it is a non-empty string, else undefined. */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Finds a container (regular, init or ephemeral) by name. */
export function findContainer(spec: PodSpecLike | undefined, name: string): ContainerLike | undefined {
  if (typeof spec !== 'object' || spec === null) return undefined;
  const all = [...listOf(spec.containers), ...listOf(spec.initContainers), ...listOf(spec.ephemeralContainers)];
  return all.find((container) => typeof container === 'object' && container !== null && container.name === name);
}
