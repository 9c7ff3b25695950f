// Reading the console's url-encoded forms, and showing a domain refusal next to its field.
import type { Context } from 'koa';
import { ConflictError, ValidationError } from '../../domain/errors.js';

export type FormBody = Record<string, unknown>;

export const bodyOf = (ctx: Context): FormBody => (ctx.request.body ?? {}) as FormBody;

/** A field's value (the first, if repeated), or '' when absent. */
export const field = (body: FormBody, name: string): string => {
  const value = body[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
};

/** Every non-empty value of a repeated field (checkbox groups). */
export const fields = (body: FormBody, name: string): string[] => {
  const value = body[name];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
};

export const checked = (body: FormBody, name: string): boolean => field(body, name) !== '';

/** A textarea's non-empty lines, trimmed. */
export const lines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** A domain refusal as a message next to its field (or above the form). */
export function formErrors(error: unknown): Record<string, string> | undefined {
  if (error instanceof ValidationError) return { [error.field ?? 'form']: error.message };
  if (error instanceof ConflictError) return { form: error.message };
  return undefined;
}
