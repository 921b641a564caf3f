// Builds the 360° view on a deployment: optionally generates the bank and stores it under --data, then runs the two
// jobs of jobs.ts through the library and prints the datasets they wrote. The store is the one the AWS_* variables
// name (`supercompute storage` prints them); the deployment is the one the CLI would use, or with --local the embedded
// platform started here (deployed with those AWS_* variables).
//   npx tsx examples/customer-360/build.ts --local --generate --data s3://data/bank/ --output s3://data/c360/
//   npx tsx examples/customer-360/build.ts --commands          # the same jobs as `supercompute run` command lines
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createS3Client, readS3Settings } from '../../pipeline/data/s3-settings.ts';
import { LocalSupercompute, Supercompute } from '../../host/library/index.ts';
import { generateCustomer360, SIZE_OPTIONS, sizesFrom } from './generate.ts';
import { buildCustomer360, commandLines, type Customer360Options } from './jobs.ts';
import { uploadTables } from './store.ts';

const USAGE = `usage: build.ts [--data s3://BUCKET/PREFIX/] [--output s3://BUCKET/PREFIX/] [--reducers R] [--chunk-size SIZE]
                [--workers N] [--output-format parquet|csv|jsonl] [--local] [--commands]
                [--generate [--customers N] [--accounts N] [--transactions N] [--claims N] [--contacts N] [--seed N] [--parquet]]`;

const { values } = parseArgs({
  options: {
    ...SIZE_OPTIONS,
    data: { type: 'string', default: 's3://data/bank/' },
    output: { type: 'string', default: 's3://data/c360/' },
    reducers: { type: 'string', default: '4' },
    'chunk-size': { type: 'string' },
    workers: { type: 'string' },
    'output-format': { type: 'string', default: 'parquet' },
    generate: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    parquet: { type: 'boolean', default: false },
    local: { type: 'boolean', default: false },
    commands: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const format = values['output-format'];
if (format !== 'parquet' && format !== 'csv' && format !== 'jsonl') usageError('--output-format must be parquet, csv or jsonl');
const options: Customer360Options = {
  data: values.data,
  output: values.output,
  reducers: Number(values.reducers),
  outputFormat: format,
  ...(values['chunk-size'] !== undefined ? { chunkSize: values['chunk-size'] } : {}),
  ...(values.workers !== undefined ? { workers: Number(values.workers) } : {}),
};

if (values.commands) {
  console.log(commandLines(options).join('\n\n'));
  process.exit(0);
}

if (values.generate) {
  const settings = readS3Settings(process.env);
  if (!settings.endpoint && !settings.accessKeyId) usageError('--generate stores the bank in the store the AWS_* variables name, and none are set (`npx supercompute storage` prints them)');
  const dir = await mkdtemp(join(tmpdir(), 'customer-360-'));
  try {
    const generated = await generateCustomer360(dir, sizesFrom(values), Number(values.seed), { parquet: values.parquet });
    const client = await createS3Client(settings);
    await uploadTables(client, options.data, generated.files);
    console.error(`stored ${(generated.bytes / 1e6).toFixed(1)} MB under ${options.data}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sc = values.local ? await Supercompute.local({ log: (line) => console.error(line) }) : new Supercompute();
try {
  const start = performance.now();
  const { spend, profile } = await buildCustomer360(sc, options);
  console.error(`spend by customer and category: ${spend.rows} rows in ${spend.parts} parts at ${spend.dataset}`);
  console.error(`profiles: ${profile.rows} rows in ${profile.parts} parts at ${profile.dataset} (${((performance.now() - start) / 1000).toFixed(1)} s for both jobs)`);
  console.log(JSON.stringify({ spend, profile }, null, 2));
} finally {
  if (sc instanceof LocalSupercompute) await sc.close();
}
