// The display sanitizer: the only path from cluster and workload text to the terminal.
export type { DisplayText, DisplayPart } from './display-text.js';
export { trusted, display, joinDisplay, composedText } from './display-text.js';
export type { EscapeOptions } from './escape-untrusted.js';
export { escapeUntrusted, UNBOUNDED, DEFAULT_MAX_BYTES, DEFAULT_MAX_COMBINING_MARKS } from './escape-untrusted.js';
export { toSafeJson } from './json-safe.js';
export { redactError, redactSecrets } from './redact-error.js';
export type { RedactErrorOptions } from './redact-error.js';
