// Who runs an activation and under which parent: what every run of an action carries, primitive or composite.

export interface Caller {
  namespace: string;
  subject: string;
  apiKey: string;
}

/** Components and conductor steps counted so far, shared with nested compositions. */
export interface Accounting {
  components: number;
  conductors: number;
}

export interface RunContext {
  caller: Caller;
  activationId: string;
  /** Activation id of the enclosing sequence or composition. */
  cause?: string;
  /** Run as a component of a sequence or composition (annotation `causedBy: "sequence"`, not `topmost`). */
  component?: boolean;
  accounting?: Accounting;
}
