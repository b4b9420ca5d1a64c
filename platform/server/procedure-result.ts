// The jsonb every stored procedure returns (platform/API.md, "Procedure results").
export interface ProcedureResult {
  ok: boolean;
  http_status: number;
  code?: string;
  message?: string;
  replayed?: boolean;
  [field: string]: unknown;
}

/** Guards against a procedure returning something the server cannot answer honestly with. */
export function asProcedureResult(value: unknown, procedure: string): ProcedureResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${procedure} returned ${value === null ? 'null' : typeof value}, expected a jsonb object`);
  }
  const r = value as Record<string, unknown>;
  const status = r.http_status;
  if (typeof r.ok !== 'boolean' || typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error(`${procedure} returned a result without a boolean ok and an HTTP http_status`);
  }
  return r as ProcedureResult;
}

/** The payload fields of a result: what REST clients see on success. */
export function resultPayload(result: ProcedureResult): Record<string, unknown> {
  const { ok: _ok, http_status: _status, code: _code, message: _message, ...payload } = result;
  return payload;
}
