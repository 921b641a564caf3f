// A module imported with `?browser` is the text of its browser bundle (host/bundling/browser-bundle.ts).
declare module '*?browser' {
  const source: string;
  export default source;
}
