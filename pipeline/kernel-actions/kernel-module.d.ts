// The kernel module a kernel action is bundled with (aliased by the bundler).
declare module 'supercompute:kernel' {
  const kernel: unknown;
  export default kernel;
}
