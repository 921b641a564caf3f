// Sequences, trigger fires through rules, and conductor actions on the embedded platform.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../platform/index.ts';
import { type Activation, type Client, activation, annotation, failure, postEmpty, startWithClient } from './helpers/platform-client.ts';

let platform: Platform;
let ow: Client;

beforeAll(async () => {
  ({ platform, ow } = await startWithClient());
  await ow.actions.create({ name: 'inc', action: 'function main(p) { return { n: (p.n || 0) + 1 }; }' });
  await ow.actions.create({ name: 'double', action: 'function main(p) { return { n: p.n * 2 }; }' });
  await ow.actions.create({ name: 'fail', action: 'function main(p) { return { error: "failed at " + p.n }; }' });
});
afterAll(async () => {
  await platform?.stop();
});

describe('sequences', () => {
  it('pipes each result into the next component and records children', async () => {
    const seq = await ow.actions.create({ name: 'pipeline', sequence: ['/_/inc', '/guest/double', 'inc'] });
    expect(seq.exec).toEqual({ kind: 'sequence', components: ['/guest/inc', '/guest/double', '/guest/inc'] });
    const a = (await ow.actions.invoke({ name: 'pipeline', params: { n: 1 }, blocking: true })) as Activation;
    expect(a.response.result).toEqual({ n: 5 });
    expect(annotation(a, 'kind')).toBe('sequence');
    expect(annotation(a, 'topmost')).toBe(true);
    expect(a.logs).toHaveLength(3);
    const first = await activation(ow, a.logs[0]);
    expect(first).toMatchObject({ name: 'inc', cause: a.activationId });
    expect(annotation(first, 'causedBy')).toBe('sequence');
  });

  it('flattens nested sequences', async () => {
    await ow.actions.create({ name: 'outer', sequence: ['/_/pipeline', '/_/double'] });
    const a = (await ow.actions.invoke({ name: 'outer', params: { n: 0 }, blocking: true })) as Activation;
    expect(a.response.result).toEqual({ n: 6 });
    expect(a.logs).toHaveLength(4);
  });

  it('stops at the first failing component', async () => {
    await ow.actions.create({ name: 'broken', sequence: ['/_/inc', '/_/fail', '/_/double'] });
    const err = await failure(ow.actions.invoke({ name: 'broken', params: { n: 1 }, blocking: true }));
    expect(err.statusCode).toBe(502);
    const a = err.error as unknown as Activation;
    expect(a.response).toMatchObject({ status: 'application error', result: { error: 'failed at 2' } });
    expect(a.logs).toHaveLength(2);
  });

  it('rejects missing components, cycles and sequences that are too long', async () => {
    const missing = await failure(ow.actions.create({ name: 's1', sequence: ['/_/nothing'] }));
    expect(missing).toMatchObject({ statusCode: 400, error: { error: 'Sequence component does not exist.' } });
    await ow.actions.create({ name: 'self', sequence: ['/_/inc'] });
    const cyclic = await failure(ow.actions.update({ name: 'self', sequence: ['/_/inc', '/_/self'] }));
    expect(cyclic).toMatchObject({ statusCode: 400, error: { error: 'Sequence may not refer to itself.' } });
    const long = await failure(ow.actions.create({ name: 's2', sequence: new Array(51).fill('/_/inc') }));
    expect(long).toMatchObject({ statusCode: 400, error: { error: 'Too many actions in the sequence.' } });
  });
});

describe('triggers', () => {
  it('fires every active rule with trigger parameters and payload', async () => {
    await ow.actions.create({ name: 'record', action: 'function main(p) { return p; }' });
    await ow.triggers.create({ name: 'event', trigger: { parameters: [{ key: 'source', value: 'trigger' }] } });
    await ow.rules.create({ name: 'event-record', trigger: '/_/event', action: '/_/record' });
    await ow.rules.create({ name: 'event-inc', trigger: '/_/event', action: '/_/inc' });
    await ow.rules.disable({ name: 'event-inc' });

    const { activationId } = (await ow.triggers.invoke({ name: 'event', params: { n: 41 } })) as { activationId: string };
    const t = await activation(ow, activationId);
    expect(t).toMatchObject({ name: 'event', response: { success: true, result: { n: 41 } } });
    expect(t).not.toHaveProperty('end');
    // One JSON line per rule; the inactive one says so.
    const lines = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    const ran = lines.find((l) => l.rule === 'guest/event-record')!;
    expect(ran).toMatchObject({ statusCode: 0, success: true, action: 'guest/record', activationId: expect.any(String) });
    expect(lines.find((l) => l.rule === 'guest/event-inc')).toEqual({
      rule: 'guest/event-inc',
      action: 'guest/inc',
      statusCode: 1,
      success: false,
      error: "Rule 'guest/event-inc' is inactive, action 'guest/inc' was not activated.",
    });
    const record = await activation(ow, ran.activationId as string);
    expect(record.name).toBe('record');
    expect(record.response.result).toEqual({ source: 'trigger', n: 41 });
  });

  it('answers 204 when no rule is active', async () => {
    await ow.triggers.create({ name: 'quiet' });
    const res = await postEmpty(platform, '/api/v1/namespaces/_/triggers/quiet');
    expect(res.status).toBe(204);
  });
});

// A hand-written conductor: inc, then double, then the final result.
const conductor = `
function main(p) {
  const step = p.$step || 0;
  if (step === 0) return { action: '/_/inc', params: { n: p.n }, state: { $step: 1 } };
  if (step === 1) return { action: 'double', params: { n: p.n }, state: { $step: 2 } };
  return { params: { n: p.n, finished: true } };
}`;

describe('conductor actions', () => {
  it('drives the conductor, component, conductor loop', async () => {
    await ow.actions.create({ name: 'conduct', action: conductor, annotations: { conductor: true } });
    const a = (await ow.actions.invoke({ name: 'conduct', params: { n: 4 }, blocking: true })) as Activation;
    expect(a.response).toMatchObject({ status: 'success', result: { n: 10, finished: true } });
    expect(annotation(a, 'conductor')).toBe(true);
    expect(annotation(a, 'kind')).toBe('sequence');
    expect(annotation(a, 'topmost')).toBe(true);
    // conductor, inc, conductor, double, conductor
    expect(a.logs).toHaveLength(5);
    const children = await Promise.all(a.logs.map((id) => activation(ow, id)));
    expect(children.map((c) => c.name)).toEqual(['conduct', 'inc', 'conduct', 'double', 'conduct']);
    for (const c of children) {
      expect(c.cause).toBe(a.activationId);
      expect(annotation(c, 'causedBy')).toBe('sequence');
    }
  });

  it('stops a composition that runs too many actions', async () => {
    await ow.actions.create({
      name: 'forever',
      action: 'function main(p) { return { action: "inc", params: { n: p.n || 0 } }; }',
      annotations: { conductor: true },
    });
    const err = await failure(ow.actions.invoke({ name: 'forever', blocking: true }));
    expect(err.statusCode).toBe(502);
    expect((err.error as unknown as Activation).response).toMatchObject({
      status: 'application error',
      result: { error: 'Too many actions in the composition.' },
    });
  });

  it('re-runs the conductor with an error for an unknown component', async () => {
    await ow.actions.create({
      name: 'lost',
      action: 'function main(p) { if (p.error) return { params: { saw: p.error } }; return { action: "/_/nowhere" }; }',
      annotations: { conductor: true },
    });
    const result = await ow.actions.invoke({ name: 'lost', blocking: true, result: true });
    expect(result).toEqual({ saw: "Failed to resolve action with name 'guest/nowhere' during composition." });
  });
});
