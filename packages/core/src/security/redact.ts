/**
 * Secrets never reach logs, messages or stored status: a URL's password (in
 * its userinfo or a `password` query parameter) is masked before it is shown
 * or saved.
 */
const SECRET_PARAMS = ['password', 'passwd', 'token', 'access_token', 'api_key', 'apikey', 'key', 'secret'];

export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(unparseable URL)';
  }
  if (u.password) u.password = '***';
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_PARAMS.includes(name.toLowerCase())) u.searchParams.set(name, '***');
  }
  return u.toString();
}

/** Replaces every URL with credentials inside a message with its redacted form. */
export function redactUrls(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (m) => (/[:@]|[?&]/.test(m) ? redactUrl(m) : m));
}
