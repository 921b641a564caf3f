// The small-job path: one activation of the job's kernel action per task through composer's parallel `map` (fork/join in Redis), then the
// job's result once `reduce` has stored it. For jobs of a few dozen tasks; larger ones go through `supercompute`.
const composer = require('openwhisk-composer')

module.exports = composer.let(
  { jobId: null, maxTasks: 100 },
  composer.try(
    composer.sequence(
      // One task activation each: the map path needs its task count, and runs push mode whatever `workers` says.
      (p) => (!(Number(p.tasks) <= maxTasks) ? { error: `the map path runs at most ${maxTasks} tasks and needs their count, got ${p.tasks}; use supercompute` } : Object.assign({}, p, { workers: 0 })),
      'job-create',
      (p) => {
        jobId = p.jobId
        const tasks = []
        // The job's pinned kernel action runs each task (composer's dynamic invoke).
        for (let index = 0; index < p.total; index++) tasks.push({ type: 'action', name: p.kernelAction, params: { op: 'work', jobId, index } })
        return { value: tasks }
      },
      composer.map(composer.dynamic()),
      // A branch's error may be a task that the kernel action retries: the job's state in Redis decides.
      () => ({ jobId, waitMs: 30000 }),
      'job-await',
      (p) => (p.state === 'running' ? { error: `job ${jobId} did not finish in time` } : p)
    ),
    composer.sequence((p) => ({ jobId, reason: p.error }), 'job-fail')
  )
)
