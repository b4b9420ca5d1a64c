// API key checks. Both sides are hashed to fixed-length digests before timingSafeEqual, so the
// comparison takes the same time whatever the candidate's length or content.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { TargetKind } from '../../core/target-kind.js';

/** Which surface's credentials a request must carry. */
export type AuthScheme = TargetKind;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1] : ''; // present but not a bearer token: a wrong credential
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value; // repeated headers never match a key
}

export class ApiKeyCheck {
  private readonly expected: Buffer;

  constructor(apiKey: string) {
    this.expected = digest(apiKey);
  }

  matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.expected);
  }

  /**
   * REST: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. Supabase: `apikey: <key>` is
   * required, `Authorization: Bearer <key>` accepted next to it (supabase-js sends both). Every
   * credential presented must be the key, so a wrong one is never masked by a right one.
   */
  authorizes(headers: IncomingHttpHeaders, scheme: AuthScheme): boolean {
    const keyHeader = single(scheme === 'rest' ? headers['x-api-key'] : headers['apikey']);
    const bearer = bearerToken(single(headers.authorization));
    if (scheme === 'supabase' && keyHeader === undefined) return false;
    const presented = [keyHeader, bearer].filter((c): c is string => c !== undefined);
    if (presented.length === 0) return false;
    let ok = true;
    for (const credential of presented) ok = this.matches(credential) && ok; // no short-circuit
    return ok;
  }
}
