// A definite, client-visible failure: a stable code (core/error-codes.ts), its HTTP status and
// a message that is safe to show. Anything that is not an ApiError is an internal error.
import { HTTP_STATUS_BY_CODE, type ErrorCode } from '../../core/error-codes.js';

export class ApiError extends Error {
  readonly status: number;
  constructor(readonly code: ErrorCode, message: string, status?: number) {
    super(message);
    this.status = status ?? HTTP_STATUS_BY_CODE[code];
  }
}
