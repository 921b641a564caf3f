// The live dashboard of one job: a self-contained HTML page whose script (dashboard-client.ts, bundled for the
// browser) polls the status web action and draws the job: what it is (kernel, params, plan, input), its progress and
// figures, the grid of tasks, the task stream, and its result as people read it.
import CLIENT from './dashboard-client.ts?browser';

export interface DashboardOptions {
  jobId: string;
  /** URL answering the status JSON for this job with real status codes (e.g. `.../status.http?jobId=ID`). */
  statusUrl: string;
  /** Image of the result; default: statusUrl with `format=png`. */
  pngUrl?: string;
  pollMs?: number;
}

/** JSON for an inline <script>: nothing in it can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function escHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function defaultPngUrl(statusUrl: string): string {
  return `${statusUrl}${statusUrl.includes('?') ? '&' : '?'}format=png`;
}

export function dashboardHtml(options: DashboardOptions): string {
  const cfg = {
    jobId: options.jobId,
    statusUrl: options.statusUrl,
    pngUrl: options.pngUrl ?? defaultPngUrl(options.statusUrl),
    pollMs: options.pollMs ?? 250,
  };
  const job = escHtml(options.jobId);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>supercompute job ${job}</title>
<style>
  [hidden] { display: none !important; }
  body { font-family: system-ui, sans-serif; margin: 1.2rem 1.5rem; color: #111; background: #f8fafc; }
  h1 { font-size: 1.4rem; margin: 0 0 0.6rem; }
  h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
  section { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: 0.8rem 1rem; margin: 0 0 0.9rem; }
  .cols { display: flex; flex-wrap: wrap; gap: 0.9rem; }
  .cols > section { flex: 1 1 520px; margin: 0; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0; }
  dt { color: #555; }
  dd { margin: 0; }
  ul { margin: 0; padding-left: 1.2rem; }
  progress { width: 100%; height: 1.1rem; }
  #state[data-state=done] { color: #15803d; } #state[data-state=failed], #state[data-state=error] { color: #b91c1c; }
  #state[data-state=running] { color: #b45309; }
  canvas { display: block; margin: 0.5rem 0 0; border: 1px solid #e2e8f0; max-width: 100%; }
  .legend span { display: inline-block; width: 0.8rem; height: 0.8rem; vertical-align: -1px; margin: 0 0.25rem 0 0.8rem; }
  #stream svg, #rate-chart svg, #busy-chart svg, #histogram svg { max-width: 100%; height: auto; display: block; }
  #tip { color: #334155; min-height: 1.2em; font-size: 0.9rem; }
  #error { color: #b91c1c; white-space: pre-wrap; }
  #image { display: block; image-rendering: pixelated; cursor: zoom-in; }
  #image.fit { max-width: 100%; height: auto; }
  .image-frame { overflow: auto; max-height: 80vh; }
  table { border-collapse: collapse; font-size: 0.9rem; }
  th, td { border: 1px solid #e2e8f0; padding: 0.2rem 0.5rem; text-align: left; }
  th { background: #f1f5f9; }
  caption { text-align: left; color: #555; padding-bottom: 0.3rem; }
  details pre { max-height: 24rem; overflow: auto; background: #f1f5f9; padding: 0.5rem; }
  footer { color: #64748b; font-size: 0.8rem; }
</style>
</head>
<body>
<main id="dashboard" data-job-id="${job}" data-state="running">
  <h1><span id="kernel"></span> job <code>${job}</code>: <span id="state" data-state="running">running</span></h1>
  <div class="cols">
    <section id="about">
      <h2>The job</h2>
      <dl>
        <dt>parameters</dt><dd><ul id="params"></ul></dd>
        <dt>plan</dt><dd><span id="plan"></span><ul id="plan-why"></ul></dd>
        <dt class="input" hidden>input</dt><dd class="input" id="input" hidden></dd>
      </dl>
    </section>
    <section id="figures">
      <h2>Progress</h2>
      <progress id="progress" value="0" max="1"></progress>
      <dl>
        <dt>tasks done</dt><dd><span id="done">0</span> / <span id="total">?</span></dd>
        <dt>elapsed</dt><dd id="elapsed">–</dd>
        <dt>rate</dt><dd id="rate">measuring…</dd>
        <dt class="mbps" hidden>data</dt><dd class="mbps" id="mbps" hidden></dd>
        <dt>ETA</dt><dd id="eta">measuring…</dd>
        <dt>running now</dt><dd id="busy">0</dd>
        <dt>retries</dt><dd id="retries">–</dd>
      </dl>
      <div id="stages-section" hidden><h2>Stages</h2><ul id="stages"></ul></div>
      <p id="error" role="alert"></p>
    </section>
  </div>
  <section id="result-section" hidden>
    <h2>Result</h2>
    <div id="result-view"></div>
    <div class="image-frame"><img id="image" class="fit" alt="the job's image" hidden></div>
    <div id="image-size"></div>
    <details id="result-json"><summary>JSON</summary><pre id="result"></pre></details>
  </section>
  <section>
    <h2>Task stream</h2>
    <div id="stream"></div>
    <div id="tip"></div>
  </section>
  <div class="cols">
    <section><div id="rate-chart"></div></section>
    <section><div id="busy-chart"></div></section>
  </div>
  <div class="cols" style="margin-top: 0.9rem">
    <section>
      <h2>Tasks</h2>
      <div class="legend"><span style="background:#16a34a"></span>done<span style="background:#f59e0b"></span>running<span style="background:#e5e7eb"></span>queued<span style="background:#dc2626"></span>failed</div>
      <canvas id="grid" width="540" height="220" data-done="0"></canvas>
    </section>
    <section><div id="histogram"></div></section>
  </div>
  <section id="failures-section" hidden>
    <h2>Failed attempts</h2>
    <table><thead><tr><th>task</th><th>attempts</th><th>message</th></tr></thead><tbody id="failures"></tbody></table>
    <p id="failures-more"></p>
  </section>
  <footer>page update: <span id="render-ms">–</span></footer>
</main>
<script type="application/json" id="config">${scriptJson(cfg)}</script>
<script>${CLIENT}</script>
</body>
</html>
`;
}
