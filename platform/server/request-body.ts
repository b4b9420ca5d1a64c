// Reading request bodies: raw bytes first (webhook signatures are computed over them), with a
// hard size limit, then JSON parsing into a plain object.
import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.js';
import { assertCleanJson } from './input-validation.js';

export const MAX_BODY_BYTES = 64 * 1024;

export function readRawBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return; // keep draining so the 413 reaches the client
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)); });
    // A client that goes away mid-body is the client's failure, not an internal error.
    const abandon = () => {
      if (failed || req.complete) return;
      failed = true;
      reject(new ApiError('validation_failed', 'request body incomplete: the client disconnected'));
    };
    req.on('error', abandon);
    req.on('close', abandon);
  });
}

function tooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `request body exceeds ${limit} bytes`);
}

/**
 * The first number in valid JSON text written with a fraction or an exponent ("100.0", "1e2",
 * "12.5"), and the field it belongs to. JSON.parse turns 100.0 into 100, so this reads the text:
 * every number this API takes is an integer (platform/API.md), written as one.
 */
export function firstNonIntegerNumber(text: string): { field: string | null; literal: string } | null {
  const number = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const colonNext = /\s*:/y;
  let lastKey: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      colonNext.lastIndex = j + 1;
      if (colonNext.test(text)) lastKey = JSON.parse(text.slice(i, j + 1)) as string;
      i = j;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      number.lastIndex = i;
      const literal = number.exec(text)![0];
      if (/[.eE]/.test(literal)) return { field: lastKey, literal };
      i += literal.length - 1;
    }
  }
  return null;
}

/** An empty body is an empty object (PostgREST does the same for RPC calls). */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  return parseJsonText(raw.length === 0 ? '' : raw.toString('utf8'));
}

/** The same rules over a body already decoded as UTF-8 (the edge functions' Request.text()). */
export function parseJsonText(text: string): Record<string, unknown> {
  if (text.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError('malformed_json', 'request body is not valid JSON');
  }
  // Control characters first: nothing of such a body is used, not even in a message.
  assertCleanJson(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError('validation_failed', 'request body must be a JSON object');
  }
  const float = firstNonIntegerNumber(text);
  if (float) {
    throw new ApiError('validation_failed', `${float.field ?? 'a number'} must be an integer written without a fraction or exponent, got ${float.literal}`);
  }
  return value as Record<string, unknown>;
}

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  return parseJsonObject(await readRawBody(req));
}
