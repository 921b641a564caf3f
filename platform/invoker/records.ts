// Activation records in OpenWhisk's shape.
import { randomBytes } from 'node:crypto';
import type { ActivationStatus } from './types.ts';
import type { KeyValue } from '../store/entities.ts';
import type { RunContext } from './run-context.ts';

export interface ActivationResponse {
  status: ActivationStatus;
  statusCode: number;
  success: boolean;
  result: Record<string, unknown>;
}

export interface ActivationRecord {
  namespace: string;
  name: string;
  subject: string;
  activationId: string;
  start: number;
  /** 0 for trigger records, which then show neither `end` nor `duration`, as in OpenWhisk. */
  end: number;
  duration?: number;
  cause?: string;
  version: string;
  publish: boolean;
  logs: string[];
  annotations: KeyValue[];
  response: ActivationResponse;
}

const STATUS_CODES: Record<ActivationStatus, number> = {
  success: 0,
  'application error': 1,
  'action developer error': 2,
  'whisk internal error': 3,
};

export function newActivationId(): string {
  return randomBytes(16).toString('hex');
}

export function newTransactionId(): string {
  return randomBytes(16).toString('hex');
}

export function makeResponse(status: ActivationStatus, result: Record<string, unknown>): ActivationResponse {
  return { status, statusCode: STATUS_CODES[status], success: status === 'success', result };
}

export function applicationError(message: string): ActivationResponse {
  return makeResponse('application error', { error: message });
}

export function whiskError(message: string): ActivationResponse {
  return makeResponse('whisk internal error', { error: message });
}

/** The record of a run of `action` under `ctx`. */
export function runRecord(
  ctx: RunContext,
  action: { name: string; version: string },
  run: Pick<ActivationRecord, 'start' | 'end' | 'duration' | 'logs' | 'annotations' | 'response'>,
): ActivationRecord {
  return {
    namespace: ctx.caller.namespace,
    name: action.name,
    subject: ctx.caller.subject,
    activationId: ctx.activationId,
    start: run.start,
    end: run.end,
    duration: run.duration,
    cause: ctx.cause,
    version: action.version,
    publish: false,
    logs: run.logs,
    annotations: run.annotations,
    response: run.response,
  };
}

function resultSize(result: unknown): number {
  return Buffer.byteLength(JSON.stringify(result ?? {}));
}

/** `response` as the API shows it: `statusCode` left out, `size` added. */
export function responseJson(r: ActivationResponse): Record<string, unknown> {
  return { result: r.result, size: resultSize(r.result), status: r.status, success: r.success };
}

/** The full record, as GET /activations/{id} and blocking invokes return it. */
export function recordJson(a: ActivationRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    activationId: a.activationId,
    annotations: a.annotations,
    duration: a.duration,
    end: a.end,
    logs: a.logs,
    name: a.name,
    namespace: a.namespace,
    publish: a.publish,
    response: responseJson(a.response),
    start: a.start,
    subject: a.subject,
    version: a.version,
  };
  if (a.cause) out.cause = a.cause;
  if (a.end === 0) {
    delete out.end;
    delete out.duration;
  }
  return out;
}

/** The list entry without docs: a top-level `statusCode`, no response or logs. */
export function summaryJson(a: ActivationRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    activationId: a.activationId,
    annotations: a.annotations,
    duration: a.duration,
    end: a.end,
    name: a.name,
    namespace: a.namespace,
    publish: a.publish,
    start: a.start,
    statusCode: a.response.statusCode,
    version: a.version,
  };
  if (a.cause) out.cause = a.cause;
  if (a.end === 0) {
    delete out.end;
    delete out.duration;
    delete out.statusCode;
  }
  return out;
}
