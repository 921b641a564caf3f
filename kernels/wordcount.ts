import { dataInputsFor } from '../pipeline/data/data-inputs.ts';
import type { DataInputs, JobShape, Kernel, WholeInput } from './types.ts';
import { defineKernel } from './define.ts';
import { KernelInputError } from './types.ts';
import { checkFields, checkTaskRef, checkTasks, numberField, shareOf } from './params.ts';

export interface WordcountParams {
  text?: string;
  url?: string;
  top: number;
}
/** Word → occurrences among the words that start in this task's shard. */
export type WordcountPartial = Record<string, number>;
export interface WordcountResult {
  top: [string, number][];
  distinctWords: number;
  totalWords: number;
}

const NAME = 'wordcount';
/** Bound on the text, inline or fetched (UTF-16 code units for `text`, bytes for `url`). */
export const MAX_TEXT = 32 * 1024 * 1024;
export const FETCH_TIMEOUT_MS = 15_000;
export const MAX_TOP = 10_000;
/** ms per UTF-16 code unit of text counted, measured on one core of a 2-core EPYC with Node 20. */
const MS_PER_CHAR = 2e-5;

/** A word: letters, marks, digits and connectors such as "_", with apostrophes allowed between them ("don't", "l’eau"). */
const WORD = /[\p{L}\p{M}\p{N}\p{Pc}]+(?:['’][\p{L}\p{M}\p{N}\p{Pc}]+)*/gu;
const WORD_OR_JOINER = /^[\p{L}\p{M}\p{N}\p{Pc}'’]$/u;

/** Whether no word can contain the code unit at i, so a scan may start right after it. */
function isBoundary(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return false; // first half of a pair: starting after it would split it
  }
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
    const h = text.charCodeAt(i - 1);
    if (h >= 0xd800 && h <= 0xdbff) return !WORD_OR_JOINER.test(text.slice(i - 1, i + 1));
  }
  return !WORD_OR_JOINER.test(text[i]);
}

/**
 * Counts the words whose first code unit lies in [start, end). Scanning begins at the nearest boundary at or before
 * start, so words are matched exactly as a scan of the whole text would match them.
 */
export function countWords(text: string, start: number, end: number, into = new Map<string, number>()): Map<string, number> {
  let from = start;
  while (from > 0 && !isBoundary(text, from - 1)) from--;
  const re = new RegExp(WORD.source, WORD.flags);
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null && m.index < end; m = re.exec(text)) {
    if (m.index < start) continue;
    const word = m[0].toLowerCase().normalize('NFC');
    into.set(word, (into.get(word) ?? 0) + 1);
  }
  return into;
}

let cached: { url: string; inputs: DataInputs; at: number; text: Promise<string> } | undefined;

/**
 * Fetches a text document over http(s) through the job's data access (pipeline/inputs: public addresses only unless
 * the deployment allows more), bounded in time and size; reused for a minute within one process.
 */
export async function fetchText(url: string, inputs: DataInputs = dataInputsFor()): Promise<string> {
  if (cached && cached.url === url && cached.inputs === inputs && Date.now() - cached.at < 60_000) return cached.text;
  const text = download(url, inputs);
  cached = { url, inputs, at: Date.now(), text };
  text.catch(() => {
    if (cached?.text === text) cached = undefined;
  });
  return text;
}

async function download(url: string, inputs: DataInputs): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await inputs.fetchUrl(url, { maxBytes: MAX_TEXT, timeoutMs: FETCH_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`${NAME}: ${err instanceof Error ? err.message : String(err)} (${url})`);
  }
  return new TextDecoder('utf-8').decode(bytes);
}

function textOf(params: WordcountParams, inputs?: DataInputs): Promise<string> | string {
  return params.text ?? fetchText(params.url as string, inputs);
}

function toObject(counts: Map<string, number>): WordcountPartial {
  // Object.fromEntries defines own properties, so even a word like "__proto__" stays an ordinary key.
  return Object.fromEntries(counts);
}

function summarise(params: WordcountParams, counts: Map<string, number>): WordcountResult {
  let totalWords = 0;
  for (const c of counts.values()) totalWords += c;
  const entries = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { top: entries.slice(0, params.top), distinctWords: counts.size, totalWords };
}

export const wordcount = {
  name: NAME,
  description: 'Counts case-folded Unicode words in a text (inline, fetched from a URL, or the job\'s input) and reports the most frequent.',
  params: {
    text: 'the text to count (give text or url, or run it over an input: --input s3://… or URLs)',
    url: 'an http(s) URL to fetch the text from, public addresses only unless the deployment allows more (give text or url)',
    top: 'how many of the most frequent words to report, 1 to 10000 (default 10)',
  },
  inputParam: { param: 'url', instead: ['text'] },
  parse(raw, job?: JobShape) {
    const p = checkFields(NAME, raw, ['text', 'url', 'top']);
    const top = numberField(NAME, p, 'top', { min: 1, max: MAX_TOP, integer: true, allowString: true }, 10);
    if (job?.input) {
      if (p.text !== undefined || p.url !== undefined) throw new KernelInputError(`${NAME}: the job names an input; give no "text" or "url" as well`);
      return { top };
    }
    if ((p.text === undefined) === (p.url === undefined)) {
      throw new KernelInputError(`${NAME}: give exactly one of the fields "text" and "url" (or name the job's input)`);
    }
    if (p.text !== undefined) {
      if (typeof p.text !== 'string') throw new KernelInputError(`${NAME}: field "text" must be a string`);
      if (p.text.length > MAX_TEXT) throw new KernelInputError(`${NAME}: field "text" is longer than ${MAX_TEXT}`);
      return { text: p.text, top };
    }
    if (typeof p.url !== 'string') throw new KernelInputError(`${NAME}: field "url" must be a string`);
    let url: URL;
    try {
      url = new URL(p.url);
    } catch {
      throw new KernelInputError(`${NAME}: field "url" is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new KernelInputError(`${NAME}: field "url" must be http or https, got ${url.protocol}`);
    }
    return { url: url.href, top };
  },
  split(_params, tasks) {
    // Shards are character ranges; tasks beyond the text's length get empty shards.
    return checkTasks(NAME, tasks);
  },
  async work(params, task, inputs) {
    checkTaskRef(NAME, task);
    if (task.records) {
      // The job's input: the words of the lines this task owns (a line break is never inside a word).
      const counts = new Map<string, number>();
      for await (const line of task.records) countWords(line, 0, line.length, counts);
      return toObject(counts);
    }
    if (params.text === undefined && params.url === undefined) throw new KernelInputError(`${NAME}: the task has no input`);
    const text = await textOf(params, inputs);
    const [start, end] = shareOf(text.length, task.index, task.count);
    return toObject(countWords(text, start, end));
  },
  reduce(params, partials) {
    const counts = new Map<string, number>();
    for (const part of partials) {
      for (const [word, c] of Object.entries(part)) counts.set(word, (counts.get(word) ?? 0) + c);
    }
    return summarise(params, counts);
  },
  async reference(params: WordcountParams, input?: WholeInput, inputs?: DataInputs) {
    if (input) {
      const counts = new Map<string, number>();
      for await (const line of input.records) countWords(line, 0, line.length, counts);
      return summarise(params, counts);
    }
    const text = await textOf(params, inputs);
    return summarise(params, countWords(text, 0, text.length));
  },
  // Not `waitsOnIo`, even for a URL: each process fetches the text once and shares it, and counting is CPU work.
  // A URL's text has no size until it is fetched, so only inline text is estimated.
  estimate(params) {
    return params.text !== undefined ? { cpuMs: MS_PER_CHAR * params.text.length } : undefined;
  },
} satisfies Kernel<WordcountParams, WordcountPartial, WordcountResult>;

export default defineKernel(wordcount);
