// Reading request bodies: raw bytes first (webhook signatures are computed over them), with a
// hard size limit, then JSON parsing into a plain object.
import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.js';

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

/** An empty body is an empty object (PostgREST does the same for RPC calls). */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError('malformed_json', 'request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError('validation_failed', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  return parseJsonObject(await readRawBody(req));
}
