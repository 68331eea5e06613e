/**
 * The team's moves in a replay (`kustody exercise replay … --moves`): what the players do and on which
 * scenario minute, written `capture:web@1,isolate:web@2,sweep@5`. Pure parsing.
 */
import { UsageError } from '../errors.js';

/**
 * What a player can do in a replay. `delete` is a pod deleted outside kustody (kubectl), as a careless
 * team would; `revoke-sa` names a ServiceAccount, not a pod (`kustody revoke --service-account … --delete-sa`).
 */
export const MOVE_KINDS = ['capture', 'isolate', 'release', 'revoke', 'delete', 'sweep', 'revoke-sa'] as const;
/** One kind of move. */
export type MoveKind = (typeof MOVE_KINDS)[number];

/** One move on the scenario clock. */
export interface Move {
  minute: number;
  move: MoveKind;
  /** The pod the move acts on (the ServiceAccount for `revoke-sa`; null for `sweep`). */
  pod: string | null;
}

const POD = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const MAX_MOVES = 200;

/** Parses `--moves`: comma-separated `MOVE[:POD][@MINUTE]`; a move without a minute comes one minute after the one before (the first at minute 1). */
export function parseMoves(text: string): Move[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0 || parts.length > MAX_MOVES) throw new UsageError(`--moves takes 1 to ${MAX_MOVES} moves separated by commas.`, 'For example: --moves capture:web@1,isolate:web@2,revoke:web@4,sweep@6');
  let previous = 0;
  return parts.map((part) => {
    const match = /^([a-z]+(?:-[a-z]+)?)(?::([^@]+))?(?:@(\d+(?:\.\d+)?))?$/.exec(part);
    const kind = match?.[1] as MoveKind | undefined;
    if (match === null || kind === undefined || !MOVE_KINDS.includes(kind)) throw new UsageError(`--moves: ${JSON.stringify(part.slice(0, 80))} is not MOVE[:POD][@MINUTE] with MOVE one of ${MOVE_KINDS.join(', ')}.`);
    const pod = match[2] ?? null;
    if (kind === 'sweep' ? pod !== null : pod === null || !POD.test(pod)) throw new UsageError(kind === 'sweep' ? '--moves: sweep takes no pod (it sweeps the namespace).' : kind === 'revoke-sa' ? '--moves: revoke-sa needs a ServiceAccount name (revoke-sa:NAME).' : `--moves: ${kind} needs a pod name (${kind}:POD).`);
    const minute = match[3] === undefined ? previous + 1 : Number(match[3]);
    if (minute < previous || minute > 24 * 60) throw new UsageError(`--moves: ${JSON.stringify(part)} is earlier than the move before it (moves are listed in time order, minutes up to 1440).`);
    previous = minute;
    return { minute, move: kind, pod };
  });
}

/** The moves as `--moves` would take them. */
export function formatMoves(moves: readonly Move[]): string {
  return moves.map((m) => `${m.move}${m.pod === null ? '' : `:${m.pod}`}@${m.minute}`).join(',');
}
