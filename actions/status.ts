// Web action: the state of one job, `{jobId, state, done, total, result?, error?, timings?, doneTasks}`; with `waitMs`
// a long-poll, with `plot=…` an SVG of its task records, with `format=png` its image (whole, or `part=N`), with
// `view=1` the dashboard's view. A pure read (pipeline/views/status-answer.ts).
import { registerEnvSecrets } from '../pipeline/openwhisk/redact.ts';
import { answerStatus } from '../pipeline/views/status-answer.ts';

export function main(params: Record<string, unknown>) {
  registerEnvSecrets(params);
  return answerStatus(params);
}
