import { randomBytes } from 'node:crypto';

/**
 * 128 random bits, URL-safe. Never starting with '-': a command line would take such an id for an option
 * (`supercompute cancel -Ab…`).
 */
export function newJobId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const JOB_ID = /^[A-Za-z0-9_-]{22}$/;

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID.test(value);
}
