// The live dashboard of one job: a self-contained HTML page that polls the status web action (JSON) and shows
// a grid of tasks filling in, progress, rate, ETA, the result and, for image results, the picture.
//
// Status JSON it reads: {jobId, state: running|done|failed, done, total, kernel?, result?, error?, timings?,
// doneTasks?}. `doneTasks` is base64 of a bitmap in Redis SETBIT order: task i is done when bit (7 - i % 8) of
// byte floor(i / 8) is set. Without it the grid fills the first `done` cells.
//
// Hooks for browser tests: #dashboard and #state carry data-state="running|done|failed|error"; #done, #total,
// #rate, #eta, #result, #error hold text; #grid (canvas) has data-done; #image gets data-state="done" once loaded.

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

// Plain ES2017 for any browser; kept free of build-time helpers.
const SCRIPT = String.raw`
(function () {
  var cfg = JSON.parse(document.getElementById('config').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var samples = [];
  var delay = cfg.pollMs;
  var imageShown = false;

  function setState(s) {
    $('dashboard').setAttribute('data-state', s);
    $('state').setAttribute('data-state', s);
    $('state').textContent = s;
  }

  function decodeBitmap(b64, total) {
    var bin = atob(b64);
    var out = new Uint8Array(total);
    for (var i = 0; i < total; i++) {
      var byte = i >> 3;
      out[i] = byte < bin.length && (bin.charCodeAt(byte) >> (7 - (i & 7))) & 1 ? 1 : 0;
    }
    return out;
  }

  function drawGrid(st) {
    var canvas = $('grid');
    var total = Math.max(0, st.total | 0);
    var done = total > 0 && typeof st.doneTasks === 'string' ? decodeBitmap(st.doneTasks, total) : null;
    var w = canvas.width, h = canvas.height;
    var cell = Math.max(1, Math.floor(Math.sqrt((w * h) / Math.max(1, total))));
    while (cell > 1 && Math.ceil(total / Math.floor(w / cell)) * cell > h) cell--;
    var cols = Math.max(1, Math.floor(w / cell));
    var gap = cell >= 6 ? 1 : 0;
    var ctx = canvas.getContext('2d');
    var count = 0;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    for (var i = 0; i < total; i++) {
      var isDone = done ? done[i] === 1 : i < st.done;
      if (isDone) count++;
      ctx.fillStyle = isDone ? (st.state === 'failed' ? '#dc2626' : '#16a34a') : '#e5e7eb';
      ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell - gap, cell - gap);
    }
    canvas.setAttribute('data-done', String(count));
    canvas.setAttribute('data-source', done ? 'bitmap' : 'count');
  }

  function fmtSeconds(s) {
    if (!isFinite(s)) return '?';
    if (s < 60) return s.toFixed(1) + ' s';
    var m = Math.floor(s / 60);
    return m + ' min ' + Math.round(s - m * 60) + ' s';
  }

  function render(st) {
    var now = Date.now();
    samples.push([now, st.done]);
    while (samples.length > 2 && now - samples[0][0] > 3000) samples.shift();
    var first = samples[0];
    var rate = now > first[0] ? ((st.done - first[1]) * 1000) / (now - first[0]) : 0;
    $('done').textContent = String(st.done);
    $('total').textContent = String(st.total);
    var bar = $('progress');
    bar.max = Math.max(1, st.total);
    bar.value = st.done;
    $('rate').textContent = rate > 0 ? rate.toFixed(1) + ' tasks/s' : '–';
    $('eta').textContent = st.state === 'running' ? (rate > 0 ? fmtSeconds((st.total - st.done) / rate) : '?') : '0 s';
    if (st.timings && typeof st.timings.elapsedMs === 'number') $('elapsed').textContent = fmtSeconds(st.timings.elapsedMs / 1000);
    drawGrid(st);
    if (st.state === 'done') {
      var result = st.result !== undefined ? st.result : st.resultRef;
      if (result && typeof result === 'object' && typeof result.png === 'string') {
        result = Object.assign({}, result, { png: '(' + result.png.length + ' base64 characters)' });
      }
      $('result').textContent = JSON.stringify(result, null, 2);
      var hasImage = st.kernel === 'mandelbrot' || typeof st.png === 'string' || (st.result && typeof st.result.png === 'string');
      if (hasImage && !imageShown) {
        imageShown = true;
        var img = $('image');
        img.onload = function () { img.setAttribute('data-state', 'done'); };
        img.onerror = function () { img.setAttribute('data-state', 'error'); };
        img.hidden = false;
        img.src = cfg.pngUrl;
      }
    }
    if (st.state === 'failed') $('error').textContent = typeof st.error === 'string' ? st.error : JSON.stringify(st.error);
    setState(st.state);
  }

  function poll() {
    fetch(cfg.statusUrl, { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) {
        return res.json().then(function (body) { return { ok: res.ok, status: res.status, body: body }; });
      })
      .then(function (r) {
        if (!r.ok) throw new Error('status answered ' + r.status + ': ' + (r.body && r.body.error ? r.body.error : ''));
        delay = cfg.pollMs;
        $('error').textContent = '';
        render(r.body);
        if (r.body.state === 'running') setTimeout(poll, cfg.pollMs);
      })
      .catch(function (err) {
        $('error').textContent = String(err && err.message ? err.message : err);
        delay = Math.min(5000, delay * 2);
        setTimeout(poll, delay);
      });
  }

  poll();
})();
`;

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
  body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #111; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
  dt { color: #555; }
  progress { width: 800px; max-width: 100%; }
  canvas { display: block; margin: 0.8rem 0; border: 1px solid #ddd; max-width: 100%; }
  #error { color: #b91c1c; }
  #image { max-width: 100%; image-rendering: pixelated; }
</style>
</head>
<body>
<main id="dashboard" data-job-id="${job}" data-state="running">
  <h1>Job <code>${job}</code>: <span id="state" data-state="running">running</span></h1>
  <progress id="progress" value="0" max="1"></progress>
  <dl>
    <dt>tasks done</dt><dd><span id="done">0</span> / <span id="total">?</span></dd>
    <dt>rate</dt><dd id="rate">–</dd>
    <dt>ETA</dt><dd id="eta">?</dd>
    <dt>elapsed</dt><dd id="elapsed">–</dd>
  </dl>
  <canvas id="grid" width="800" height="400" data-done="0"></canvas>
  <p id="error" role="alert"></p>
  <pre id="result"></pre>
  <img id="image" alt="result image" hidden>
</main>
<script type="application/json" id="config">${scriptJson(cfg)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
