import { randomBytes } from 'node:crypto';

/** 128 random bits, URL-safe. */
export function newJobId(): string {
  return randomBytes(16).toString('base64url');
}

const JOB_ID = /^[A-Za-z0-9_-]{22}$/;

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID.test(value);
}
