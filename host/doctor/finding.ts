// One line of `supercompute doctor`'s report: a check, its verdict, and what to do about it.

/** `fail`: the job would not run (or not as built here); `warn`: it would run, worse than it could; `skip`: not checked. */
export type Verdict = 'ok' | 'warn' | 'fail' | 'skip';

export interface Finding {
  check: string;
  verdict: Verdict;
  detail: string;
  /** What to do, one step a line. */
  fix?: string[];
}

/** Helm values (openwhisk-deploy-kube) that would mend a finding, as dotted paths under the chart's values. */
export type HelmValues = Record<string, string | number>;
