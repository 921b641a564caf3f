// Composition step: creates a job from the request exactly as the `supercompute` action does (pipeline/job/create.ts:
// same spec, same defaults) and starts its supervisor; `split` is the composition's next step. Throws nothing:
// errors are results, `{error}`, which a composition takes for a failure.
import { createJob } from '../pipeline/job/create.ts';
import { readSettings } from '../pipeline/job/settings.ts';
import { errorMessage, registerEnvSecrets } from '../pipeline/openwhisk/redact.ts';
import { ensureSupervisor } from '../pipeline/supervisor/remedies.ts';

export async function main(p: Record<string, unknown>) {
  registerEnvSecrets(p);
  try {
    const { jobId, spec, store } = await createJob(p, readSettings(p));
    await ensureSupervisor(store, jobId).catch(() => false);
    return { jobId, kernel: spec.kernel, kernelAction: spec.kernelAction, total: spec.total };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}
