// A job's input refused: one 400 for every door that reads the input before the job exists.
import { HttpError } from '../openwhisk/http.ts';
import { errorMessage } from '../openwhisk/redact.ts';

/** Credentials the store refused: the `AWS_*` settings the actions were deployed with. */
const REFUSED_CREDENTIALS = /InvalidAccessKeyId|SignatureDoesNotMatch|InvalidToken|ExpiredToken|AccessDenied|Could not load credentials/;

/**
 * A 400 about the job's input, said once as `input: …`, and for refused credentials where they come from: the actions
 * carry the `AWS_*` settings bound when they were deployed, so changed credentials need a new deploy.
 */
export function inputError(err: unknown, what = ''): HttpError {
  const message = errorMessage(err);
  const said = message.startsWith('input') ? message : `input: ${what}${message}`;
  const hint = REFUSED_CREDENTIALS.test(message) ? ' (the object store refused the credentials: the actions use the AWS_* settings bound when they were deployed; after changing them, run `supercompute deploy` again)' : '';
  return new HttpError(400, said + hint);
}
