// OpenWhisk's error answers: `{"error": message, "code": transactionId}` with its status codes.
import { Messages } from './messages.ts';

export class WhiskError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A JSON parse error without V8's excerpt of the input, which may hold a secret. */
export function malformedJson(err: unknown): WhiskError {
  const message = String((err as Error)?.message ?? err).replace(/, ".*" is not valid JSON$/s, ' (not valid JSON)');
  return badRequest(Messages.malformed(message));
}

export function badRequest(message: string): WhiskError {
  return new WhiskError(400, message);
}

export function notFound(): WhiskError {
  return new WhiskError(404, Messages.notFound);
}
