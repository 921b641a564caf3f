// The entry path as a composition: job-create (the same spec as the `supercompute` action makes) → split, answering
// {jobId, state: 'running', total}. Any failure lands in the handler, which marks the job failed (once it exists) and
// answers the reason.
const composer = require('openwhisk-composer')

module.exports = composer.let(
  { jobId: null, total: 0 },
  composer.try(
    composer.sequence(
      'job-create',
      (p) => {
        jobId = p.jobId
        total = p.total
        return { jobId: p.jobId }
      },
      'split',
      () => ({ jobId, state: 'running', total })
    ),
    composer.sequence((p) => ({ jobId, reason: p.error }), 'job-fail')
  )
)
