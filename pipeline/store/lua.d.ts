// The job store's scripts are imported as text, with their includes expanded (host/bundling/lua-source.ts).
declare module '*.lua' {
  const source: string;
  export default source;
}
