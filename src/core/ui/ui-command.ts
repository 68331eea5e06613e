// The semantic commands keys are mapped to (ui/keymap.ts maps the keys); screens' reducers consume
// these, so the same key means the same thing everywhere. Pure types.

/** A semantic command. `letter` carries a screen's own single-letter actions (start screen choices). */
export type UiCommand =
  | { readonly kind: 'quit' }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'help' }
  | { readonly kind: 'move'; readonly by: number }
  | { readonly kind: 'page'; readonly by: 1 | -1 }
  | { readonly kind: 'home' }
  | { readonly kind: 'end' }
  | { readonly kind: 'next-tab' }
  | { readonly kind: 'prev-tab' }
  | { readonly kind: 'tab'; readonly index: number }
  | { readonly kind: 'filter' }
  | { readonly kind: 'select' }
  | { readonly kind: 'back' }
  /** Return to where the last followed link was taken from (Backspace; `b` arrives as a letter). */
  | { readonly kind: 'link-back' }
  | { readonly kind: 'letter'; readonly key: string }
  | { readonly kind: 'type'; readonly text: string }
  | { readonly kind: 'erase' }
  | { readonly kind: 'submit' }
  | { readonly kind: 'cancel' };

/** `nav` moves around lists and screens; `text` gives printable keys to a text field. */
export type KeyMode = 'nav' | 'text';

/** One key press as both modes read it: the reducer picks by its own current mode, so fast typing cannot race a re-render. */
export interface KeyPress {
  readonly nav: UiCommand | null;
  readonly text: UiCommand | null;
}
