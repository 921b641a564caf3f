// The progress bar of a running job: tasks done of total and the rate, on stderr.
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function createProgress(label: string, enabled: boolean): Progress {
  if (!enabled) return { update() {}, stop() {} };
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {value}/{total} tasks | {rate} tasks/s | {secs} s`,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      hideCursor: true,
      // Without a terminal (CI, pipes), a plain line every few seconds instead of a redrawn bar.
      noTTYOutput: true,
      notTTYSchedule: 3000,
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  const payload = (done: number) => {
    const secs = (Date.now() - started) / 1000;
    return { rate: secs > 0 ? (done / secs).toFixed(1) : '0.0', secs: secs.toFixed(1) };
  };
  return {
    update(done, total) {
      if (!running) {
        bar.start(Math.max(total, 1), done, payload(done));
        running = true;
      }
      if (total > 0) bar.setTotal(total);
      bar.update(done, payload(done));
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
