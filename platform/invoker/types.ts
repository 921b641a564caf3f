// The contract between the controller side of the platform (REST API, activations, sequences, conductors)
// and the container pool that runs Node.js actions in separate processes.

export type ActivationStatus = 'success' | 'application error' | 'action developer error' | 'whisk internal error';

export interface ActionLimits {
  timeout: number; // ms
  memory: number; // MB
  logs: number; // MB
  concurrency: number; // activations one container may run at once
}

/** What a container needs to know about the action it runs. `fqn` + `version` identify warm containers. */
export interface RunnableAction {
  fqn: string; // "/guest/pkg/name" or "/guest/name"
  version: string;
  code: string; // JavaScript source, or base64 of a zip when `binary`
  binary: boolean;
  main: string; // default "main"
  limits: ActionLimits;
  /** Annotation `provide-api-key` (default true): pass the caller's key as __OW_API_KEY. */
  provideApiKey: boolean;
  /** Parameters annotated `init: true`: the /init message's `env`. A container serves one set of them. */
  initEnv?: Record<string, unknown>;
}

export interface RunRequest {
  action: RunnableAction;
  params: Record<string, unknown>;
  activationId: string;
  transactionId: string;
  namespace: string; // the namespace the action runs in
  apiKey: string; // "uuid:key" of the subject that invoked it
}

export interface RunOutcome {
  status: ActivationStatus;
  /** The action's result, or `{error: "..."}` for failures, exactly as OpenWhisk records them. */
  result: Record<string, unknown>;
  logs: string[]; // "2026-11-25T13:00:00.000Z stdout: text" lines, as OpenWhisk formats them
  start: number; // epoch ms the run began in the container (after any init)
  end: number;
  waitTime: number; // ms from request to the container picking it up
  initTime?: number; // ms spent in /init when this run started a cold container
  containerId: string;
  cold: boolean;
}

export interface ContainerPoolOptions {
  /** __OW_API_HOST given to every container, e.g. "http://127.0.0.1:3233". */
  apiHost: string;
  /** Memory available to containers, MB; a container takes its action's `limits.memory`. Runs queue past it. */
  userMemoryMB: number;
  /** A warm container idle this long is stopped. */
  idleMs: number;
  /** Idle time before an action's further idle containers (beyond one) are stopped, ms; absent: `idleMs`. */
  extraIdleMs?: number;
  /** The bundled action proxy; default: build/runtime/proxy.cjs in the repository. */
  runtimePath?: string;
  /** Extra environment variables for every container process. */
  env?: Record<string, string>;
  /** Injected faults (tests and demonstrations). */
  faults?: ContainerFaults;
}

export interface ContainerFaults {
  /** Ms to hold back the start of the container created for this run; 0 for none. */
  startDelay(fqn: string, activationId: string): number;
  /** Ms after the run starts at which its container is killed, or undefined to let it run. */
  killAfter(fqn: string, activationId: string): number | undefined;
}

export interface ContainerPool {
  run(req: RunRequest): Promise<RunOutcome>;
  /** Stops every container process; pending runs end as whisk internal errors. */
  stop(): Promise<void>;
  stats(): { containers: number; busy: number; queued: number };
}
