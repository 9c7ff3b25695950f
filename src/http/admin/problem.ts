// Errors of the admin API as RFC 9457 problem details (application/problem+json). Domain errors
// map onto statuses here, once: ValidationError → 422 naming its field, NotFoundError → 404,
// ConflictError → 409; zod issues → 422 with one entry per bad field. Anything unexpected is
// logged and becomes a 500 that says nothing about the cause.
import { STATUS_CODES } from 'node:http';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../logger.js';
import { requestFields } from '../middleware/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  /** The field's name: a body member (`redirect_uris`, `redirect_uris.0`), a query or path parameter. */
  field: string;
  message: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

/** An error the admin API answers with as is. */
export class Problem extends Error {
  override name = 'Problem';
  constructor(
    readonly status: number,
    detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

/** A 422 for fields the request got wrong. */
export function invalidFields(errors: FieldError[]): Problem {
  const names = [...new Set(errors.map((e) => e.field))];
  return new Problem(422, `The request has ${names.length === 1 ? 'an invalid field' : 'invalid fields'}: ${names.join(', ')}.`, { errors });
}

/** One entry per bad field; an unknown member is named itself (not its parent object). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const name = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(body)';
  return error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: name([...issue.path, key]), message: 'is not a known field' }));
    }
    if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      return [{ field: name(issue.path), message: `is required (${issue.expected})` }];
    }
    return [{ field: name(issue.path), message: issue.message }];
  });
}

function document(ctx: Context, status: number, detail: string, errors?: FieldError[]): ProblemDocument {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: ctx.path,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function sendProblem(ctx: Context, status: number, detail: string, options: Problem['options'] = {}): void {
  for (const [name, value] of Object.entries(options.headers ?? {})) ctx.set(name, value);
  ctx.status = status;
  ctx.body = document(ctx, status, detail, options.errors);
  // After the body: Koa sets a JSON body's type to application/json.
  ctx.type = PROBLEM_CONTENT_TYPE;
}

/** Turns whatever the admin routes throw into a problem document. */
export function problemHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof Problem) return sendProblem(ctx, error.status, error.message, error.options);
      if (error instanceof z.ZodError) {
        const problem = invalidFields(fieldErrors(error));
        return sendProblem(ctx, problem.status, problem.message, problem.options);
      }
      if (error instanceof ValidationError) {
        const problem = invalidFields([{ field: error.field ?? '(body)', message: error.message }]);
        return sendProblem(ctx, problem.status, problem.message, problem.options);
      }
      if (error instanceof NotFoundError) return sendProblem(ctx, 404, error.message);
      if (error instanceof ConflictError) return sendProblem(ctx, 409, error.message);
      // Errors from Koa and the body parser (400 malformed JSON, 413 too large, ...).
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: boolean }).expose !== false) {
        return sendProblem(ctx, status, (error as Error).message);
      }
      log.error('admin API request failed', { err: error, ...requestFields(ctx) });
      sendProblem(ctx, 500, 'Sesame could not finish this request. Try again in a moment.');
    }
  };
}
