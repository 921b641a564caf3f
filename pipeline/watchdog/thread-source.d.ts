// The watchdog thread's code (pipeline/watchdog/thread.ts) bundled into one CommonJS script, as text: a kernel action
// is one evaluated file, so its thread starts from a string (host/bundling/thread-source.ts bundles it).
declare module 'supercompute:watchdog-thread' {
  const source: string;
  export default source;
}
