// Validation at the edge: a zod failure becomes one 400 validation_failed problem listing each issue.
import type { z } from 'zod';

export class ValidationFailed extends Error {
  constructor(readonly issues: Array<{ path: string; message: string }>) {
    super(issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`).join('; '));
  }
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationFailed(
    result.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message })),
  );
}
