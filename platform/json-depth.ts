// How deeply JSON may nest, here and in what the platform hands on. OpenWhisk bounds the size of parameters, payloads
// and results (1 MB each) but not their nesting; a body within the size limit can still nest deeply enough to overflow
// the stack of whatever walks it later (serializing a record, merging parameters, the runtime's proxy). The platform
// refuses such a body at the door (400) and such a result as the action's error.

/** Levels of arrays and objects a request body or an action's result may nest. */
export const MAX_JSON_DEPTH = 128;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether a JSON text nests arrays and objects deeper than `limit`; read without parsing it, strings skipped. */
export function nestsDeeperThan(text: string, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

export const tooDeep = `JSON nested more than ${MAX_JSON_DEPTH} levels deep`;
