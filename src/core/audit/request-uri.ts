/**
 * Removes secrets from a request URI before it is stored: an exec or attach request carries the
 * command line in its `command=` parameters (`sh -c 'curl -H "Authorization: Bearer …"'`), and any
 * query value may hold a token. Values are redacted with the command-line rules and the case's keyed
 * fingerprint; a URI with nothing to redact is kept exactly as logged.
 */
import { redactArgv, redactInline, type Fingerprint } from '../capture/redact-argv.js';

const SECRET_PARAM = /^(?:access_?token|token|password|passwd|secret|api_?key|apikey|auth|authorization|credentials?)$/i;

/** The URI with secret-looking query values replaced by `[redacted hmac-sha256:…]`. */
export function redactRequestUri(uri: string, fingerprint: Fingerprint): string {
  const query = uri.indexOf('?');
  if (query < 0) return uri;
  const params = uri.slice(query + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return eq < 0 ? { name: pair, value: null as string | null } : { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
  let changed = false;
  const decode = (text: string): string | null => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      return null;
    }
  };
  const commandIndexes = params.flatMap((p, i) => (p.name === 'command' && p.value !== null ? [i] : []));
  if (commandIndexes.length > 0) {
    const argv = commandIndexes.map((i) => decode(params[i]?.value ?? '') ?? '');
    const { args, redacted } = redactArgv(argv, fingerprint);
    if (redacted > 0) {
      changed = true;
      commandIndexes.forEach((index, n) => {
        const param = params[index];
        if (param !== undefined) param.value = encodeURIComponent(args[n] ?? '');
      });
    }
  }
  for (const param of params) {
    if (param.value === null || param.name === 'command') continue;
    const value = decode(param.value);
    if (value === null || value === '') continue;
    const label = (secret: string) => `[redacted ${fingerprint(secret)}]`;
    const redacted = SECRET_PARAM.test(decode(param.name) ?? param.name) ? label(value) : redactInline(value, label);
    if (redacted !== value) {
      changed = true;
      param.value = encodeURIComponent(redacted);
    }
  }
  if (!changed) return uri;
  return `${uri.slice(0, query)}?${params.map((p) => (p.value === null ? p.name : `${p.name}=${p.value}`)).join('&')}`;
}
