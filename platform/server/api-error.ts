// A definite, client-visible failure: a stable code (core/error-codes.ts), its HTTP status and
// a message that is safe to show. Anything that is not an ApiError is an internal error.
import { HTTP_STATUS_BY_CODE, type ErrorCode } from '../../core/error-codes.js';

/** Codes the reference target answers that core/error-codes.ts does not list (yet). */
export const TARGET_ONLY_STATUS = {
  /** A string with a control character (NUL included) or invalid Unicode: refused before the database. */
  invalid_input: 400,
} as const;
export type TargetErrorCode = ErrorCode | keyof typeof TARGET_ONLY_STATUS;

function statusOf(code: TargetErrorCode): number {
  return code in TARGET_ONLY_STATUS ? TARGET_ONLY_STATUS[code as keyof typeof TARGET_ONLY_STATUS] : HTTP_STATUS_BY_CODE[code as ErrorCode];
}

export class ApiError extends Error {
  readonly status: number;
  constructor(readonly code: TargetErrorCode, message: string, status?: number) {
    super(message);
    this.status = status ?? statusOf(code);
  }
}
