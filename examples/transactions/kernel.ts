// The Big Data example: `aggregate` reads a CSV of transactions (customer,date,category,amount; generate.ts writes
// one) from the job's input and computes spend per category, the top customers by spend and monthly totals, in
// integer cents so that any cut of the input gives exactly the same result. It reads its records as byte batches
// (`task.batches`), the fast path: see aggregate.ts.
//   npx supercompute kernel deploy examples/transactions/kernel.ts
//   npx supercompute run aggregate --input s3://data/transactions/ --chunk-size 16MiB
import { defineKernel, KernelInputError } from 'supercompute';
import { aggregateBatches, aggregateInput, summarise, type AggregateParams, type AggregatePartial, type AggregateResult } from './aggregate.ts';

export default defineKernel<AggregateParams, AggregatePartial, AggregateResult>({
  name: 'aggregate',
  description: 'Spend per category, top customers and monthly totals of a CSV of transactions (customer,date,category,amount) named by the job\'s input.',
  params: { top: 'how many of the largest customers to report, 1 to 1000 (default 10)' },
  parse(raw, job) {
    if (!job?.input) throw new KernelInputError('aggregate: run it over an input (input: s3://… or URLs)');
    const top = raw.top === undefined ? 10 : Number(raw.top);
    if (!Number.isInteger(top) || top < 1 || top > 1000) throw new KernelInputError('aggregate: "top" must be an integer from 1 to 1000');
    return { top };
  },
  split: (_params, tasks) => tasks,
  // Batches of whole records as bytes (task.batches): no line is decoded or split, only each key once per task.
  work(_params, task) {
    if (!task.batches) throw new Error('aggregate: the task has no input');
    return aggregateBatches(task.batches);
  },
  reduce: summarise,
  // The serial computation: one process reads the whole input in order (wholeInputOf gives it).
  reference(params, input) {
    if (!input) throw new KernelInputError('aggregate: its reference reads the job\'s whole input; give it one');
    return aggregateInput(input.batches, params);
  },
});
