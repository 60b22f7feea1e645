// Postgres error codes the adapters branch on (SQLSTATE, never message text), and a type guard that
// does not need the `pg` module's error class.

export const pgErrorCodes = {
  uniqueViolation: '23505',
  duplicateDatabase: '42P04',
} as const;

export interface PgError extends Error {
  code: string;
  /** Name of the violated constraint, when the error is about one. */
  constraint?: string;
}

export function isPgError(error: unknown, code: string): error is PgError {
  return error instanceof Error && (error as Partial<PgError>).code === code;
}
