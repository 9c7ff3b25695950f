// Errors the domain raises for bad input or missing things. The HTTP layer and the CLI turn them
// into a 4xx / exit code 2 with the message as is, so messages are written for people.
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class ConflictError extends Error {
  override name = 'ConflictError';
}
