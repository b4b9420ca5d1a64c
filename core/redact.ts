// Credentials never reach stdout, logs or result files: every URL that is printed or written
// goes through redactUrl. Text-level (no URL round trip), so the rest of the URL stays exactly
// as the user wrote it and even an unparseable URL is redacted.

export const REDACTED = '***';

/** Query (and libpq keyword) parameters whose values are secrets; compared case-insensitively. */
const SECRET_PARAMS = [
  'password', 'passwd', 'pass', 'pwd', 'sslpassword', 'apikey', 'api_key', 'api-key', 'key', 'token',
  'access_token', 'refresh_token', 'auth', 'secret', 'client_secret', 'signature', 'sig',
];

const PARAM = new RegExp(
  `(^|[?&;#\\s])(${SECRET_PARAMS.map((p) => p.replace(/[-_]/g, '[-_]')).join('|')})=('(?:[^'\\\\]|\\\\.)*'|[^&#;\\s]*)`,
  'gi',
);
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function redactParams(text: string): string {
  return text.replace(PARAM, (all, sep: string, name: string, value: string) => (value === '' ? all : `${sep}${name}=${REDACTED}`));
}

/**
 * `scheme://user:password@host/...?password=…&apikey=…&key=…&token=…` with every secret
 * replaced by ***; the user name stays. Also takes libpq keyword strings ("host=… password=…").
 */
export function redactUrl(url: string): string {
  const scheme = SCHEME.exec(url);
  if (!scheme) return redactParams(url);
  const start = scheme[0].length;
  const rest = url.slice(start);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const tail = end === -1 ? '' : rest.slice(end);
  // The host follows the last '@': a password may hold an unencoded '@'.
  const at = authority.lastIndexOf('@');
  let safeAuthority = authority;
  if (at !== -1) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon !== -1 && colon < userinfo.length - 1) safeAuthority = `${userinfo.slice(0, colon)}:${REDACTED}${authority.slice(at)}`;
  }
  return `${url.slice(0, start)}${safeAuthority}${redactParams(tail)}`;
}

/** Redacts every URL inside free text (error messages, progress lines). */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (u) => {
    const trailing = /[).,;:\]]+$/.exec(u)?.[0] ?? ''; // sentence punctuation, not the URL's
    return redactUrl(u.slice(0, u.length - trailing.length)) + trailing;
  });
}
