// The typed confirmation for contain and revoke steps: the responder must type the pod's exact
// `namespace/name`; anything else sends nothing. Pure, no I/O.

/** How what was typed compares with what must be typed. */
export type ConfirmationState = 'empty' | 'partial' | 'mismatch' | 'match';

/**
 * Compares the typed text with the expected one, exactly (no trimming, no case folding).
 *
 * @example confirmationState('shop/suspect', 'shop/sus') // 'partial'
 */
export function confirmationState(expected: string, typed: string): ConfirmationState {
  if (typed === '') return 'empty';
  if (typed === expected) return 'match';
  return expected.startsWith(typed) ? 'partial' : 'mismatch';
}

/** Appends typed input to the confirmation text, dropping control characters and capping its length. */
export function appendTyped(current: string, input: string, max = 512): string {
  return (current + input.replace(/[\x00-\x1f\x7f-\x9f]/g, '')).slice(0, max);
}

/** Removes the last character (code point) of the typed text. */
export function eraseTyped(current: string): string {
  return [...current].slice(0, -1).join('');
}
