// The entry path as a composition: validate → split → coordinate, answering {jobId, status: 'running', total}.
// Any failure lands in the handler, which marks the job failed (once it exists) and answers the reason.
const composer = require('openwhisk-composer')

module.exports = composer.let(
  { jobId: null, total: 0 },
  composer.try(
    composer.sequence(
      'job-validate',
      (p) => {
        jobId = p.jobId
        total = p.total
        return { jobId: p.jobId }
      },
      'job-split',
      'coordinate',
      () => ({ jobId, status: 'running', total })
    ),
    composer.sequence((p) => ({ jobId, reason: p.error }), 'job-fail')
  )
)
