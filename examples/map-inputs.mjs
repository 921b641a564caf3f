// Map over a list of inputs from a plain Node script: `node examples/map-inputs.mjs` (after `npm ci`).
// Starts everything on this machine (a Redis if none answers at REDIS_URL, the embedded platform), runs one job, stops.
import { Supercompute } from 'supercompute';

const sc = await Supercompute.local();
try {
  const inputs = Array.from({ length: 1000 }, (_, i) => i);
  // The function travels as its source: it may use its argument and JavaScript's built-ins, nothing from out here.
  const squares = await sc.map((n) => n * n, inputs);
  const sum = await sc.mapReduce((n) => n % 7, inputs, (rests) => rests.reduce((a, b) => a + b, 0));
  console.log(JSON.stringify({ inputs: inputs.length, first: squares.slice(0, 5), last: squares.at(-1), sumOfRests: sum }));
} finally {
  await sc.close();
}
