// What sequences and conductor actions need from the invoker to run their components. The invoker implements it
// and calls them back, so they depend on this contract rather than on the invoker itself.
import type { ActivationStore } from './activations.ts';
import type { ActivationRecord } from './records.ts';
import type { ResolvedAction } from './resolve.ts';
import type { Accounting, RunContext } from './run-context.ts';
import type { EntityRef } from '../names.ts';

export interface ComponentInvoker {
  readonly activations: ActivationStore;
  /** Most components one sequence or composition may run. */
  readonly sequenceLimit: number;
  /** The action at `ref`; with `asNamespace`, only when that namespace may invoke it. */
  resolve(ref: EntityRef, asNamespace?: string): ResolvedAction | undefined;
  /** Runs a primitive action (a conductor step) and stores its record. */
  runPrimitive(ctx: RunContext, target: ResolvedAction, payload: Record<string, unknown>): Promise<ActivationRecord>;
  /** Runs a child of a sequence or composition under a fresh activation id. */
  runChild(
    parent: RunContext,
    target: ResolvedAction,
    payload: Record<string, unknown>,
    accounting?: Accounting,
  ): Promise<ActivationRecord>;
}
