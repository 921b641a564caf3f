// What sequences and conductor actions share: their component activations add up into one record.
import type { ComponentInvoker } from './component-invoker.ts';
import type { RunContext } from './run-context.ts';
import type { ResolvedAction } from './resolve.ts';
import { type ActivationRecord, type ActivationResponse, runRecord } from './records.ts';
import type { KeyValue } from '../store/entities.ts';
import { refFqn } from '../names.ts';

/** The component activations of one sequence or composition run. */
export class Components {
  readonly start = Date.now();
  /** The components' activation ids, in order: the composite record's logs. */
  readonly logs: string[] = [];
  duration = 0;
  maxMemory: number;

  constructor(readonly target: ResolvedAction) {
    this.maxMemory = target.action.limits.memory;
  }

  /** Counts in one component activation of `component`. */
  add(child: ActivationRecord, component: ResolvedAction): void {
    this.logs.push(child.activationId);
    this.duration += child.duration ?? 0;
    this.maxMemory = Math.max(this.maxMemory, component.action.limits.memory);
  }

  /** Stores and returns the record of the whole run. */
  finish(
    invoker: ComponentInvoker,
    ctx: RunContext,
    response: ActivationResponse,
    options: { conductor?: boolean; binding?: string },
  ): ActivationRecord {
    const { target } = this;
    const annotations: KeyValue[] = [
      { key: 'topmost', value: !ctx.component },
      { key: 'path', value: refFqn(target.ref) },
      { key: 'kind', value: 'sequence' },
    ];
    if (options.conductor) annotations.push({ key: 'conductor', value: true });
    if (ctx.component) annotations.push({ key: 'causedBy', value: 'sequence' });
    annotations.push({ key: 'limits', value: { ...target.action.limits, memory: this.maxMemory } });
    if (options.binding) annotations.push({ key: 'binding', value: options.binding });
    const record = runRecord(ctx, target.action, {
      start: this.start,
      end: Date.now(),
      duration: this.duration,
      logs: this.logs,
      annotations,
      response,
    });
    invoker.activations.put(record);
    return record;
  }
}
