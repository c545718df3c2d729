/**
 * Keeps credentials out of messages: URL user info becomes `***`, and a proxy password is
 * replaced wherever it appears, since HTTP libraries may quote the proxy URL in their errors.
 */

const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

/** The strings of `proxyUrl` that must never be shown: its password, raw and decoded. */
export function secretsOf(proxyUrl: string | undefined): string[] {
  if (proxyUrl === undefined || !URL.canParse(proxyUrl)) {
    return [];
  }
  const { password, username } = new URL(proxyUrl);
  const secrets = [password, safeDecode(password), username, safeDecode(username)];
  // Very short strings would blank out unrelated text; user info in URLs is still redacted.
  return [...new Set(secrets)].filter((secret) => secret.length >= 4);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `text` with the user info of every URL and each of `secrets` replaced by `***`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text.replace(USER_INFO, '$1***@');
  for (const secret of secrets) {
    result = result.split(secret).join('***');
  }
  return result;
}

/**
 * A plain copy of `error` safe to keep as a `cause`: name, code and redacted message and stack.
 * Errors of HTTP clients hold their request options, proxy URL included, so the original object
 * is not kept.
 */
export function sanitizedCause(error: unknown, secrets: readonly string[]): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(redact(original.message, secrets));
  copy.name = original.name;
  copy.stack = original.stack === undefined ? undefined : redact(original.stack, secrets);
  const { code } = original as { code?: unknown };
  if (typeof code === 'string') {
    Object.defineProperty(copy, 'code', { value: code, enumerable: true });
  }
  return copy;
}
