// Starts a job through the entry composition, then polls it until it is done, it fails or `waitMs` (default 50 s,
// within a blocking invoke's 60 s) has passed; answers the job's status, with `result` once done.
//   wsk action invoke supercompute-wait -p kernel primes -p params '{"below": 1e7}' -p tasks 8 --result
const composer = require('openwhisk-composer')

module.exports = composer.let(
  { jobId: null, deadline: 0, status: null },
  (p) => {
    const ms = Number(p.waitMs) > 0 ? Number(p.waitMs) : 50000
    deadline = Date.now() + ms
    const job = Object.assign({}, p)
    delete job.waitMs
    return job
  },
  'supercompute-flow',
  (p) => {
    jobId = p.jobId
    status = { jobId: p.jobId, state: 'running', done: 0, total: p.total }
  },
  composer.while(
    () => status.state === 'running' && Date.now() < deadline,
    composer.sequence(
      () => ({ jobId, waitMs: Math.max(0, Math.min(5000, deadline - Date.now())) }),
      'job-await',
      (p) => {
        status = p
      }
    )
  ),
  () => (status.state === 'running' ? Object.assign({}, status, { timedOut: true }) : status)
)
