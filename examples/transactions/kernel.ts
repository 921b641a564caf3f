// The Big Data example: `aggregate` reads a CSV of transactions (customer,date,category,amount; generate.ts writes
// one) from the job's input and computes spend per category, the top customers by spend and monthly totals, in
// integer cents so that any cut of the input gives exactly the same result.
//   npx supercompute kernel deploy examples/transactions/kernel.ts
//   npx supercompute run aggregate --input s3://data/transactions/ --chunk-size 16MiB
import { defineKernel, KernelInputError } from 'supercompute';
import { addRow, aggregateRecords, emptyPartial, summarise, type AggregateParams, type AggregatePartial, type AggregateResult } from './aggregate.ts';

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
  async work(_params, task) {
    const partial = emptyPartial();
    if (!task.records) throw new Error('aggregate: the task has no input');
    for await (const line of task.records) addRow(partial, line);
    return partial;
  },
  reduce: summarise,
  // The serial computation: one process reads the whole input in order (wholeInputOf gives it).
  reference(params, input) {
    if (!input) throw new KernelInputError('aggregate: its reference reads the job\'s whole input; give it one');
    return aggregateRecords(input.records, params);
  },
});
