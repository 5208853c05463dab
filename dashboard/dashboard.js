// The dashboard page: draws what the server's event stream (/events) sends.
//
// A "history" event comes first on every (re)connection, with the recent windows, the
// errors tally and the spouts' health: the page starts over from it. Then "window",
// "tally", "health" and "storm" events, one per change. Drawing happens once per
// animation frame, however many events came in between. Every value drawn is also in
// an id'd element's data attributes, for tests and for anyone reading the DOM.
/* global echarts */

const CLASSES = ["2xx", "3xx", "4xx", "5xx", "other"];
const COLORS = { "2xx": "#2e9d55", "3xx": "#3a7bd5", "4xx": "#f0a202", "5xx": "#d1342f", other: "#9aa3b2" };

const state = {
  time: null, // "processing" or "event": the time mode of the windows shown
  historySecs: 900,
  metrics: [], // the analyzer's metrics, from the server: {name, title, view}
  windows: {}, // metric -> its windows by window_end: the newest (view "ranking") or
  //              those of the last historySecs (view "status")
  tally: null,
  health: null,
  storm: null,
  fresh: [], // windows that arrived live since the last drawing (for sink-to-screen)
};
// What tests read: each live window's sink-to-screen time, as drawn (ms; epoch ms).
window.dashboardLatencies = [];

const $ = (id) => document.getElementById(id);
const fmt = (n, digits = 0) => (n === null || n === undefined ? "–" :
  Number(n).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const utc = (secs) => new Date(secs * 1000).toISOString().replace(".000Z", "Z").replace("T", " ");

function statusClass(code) {
  return /^[2-5]\d\d$/.test(code) ? `${code[0]}xx` : "other";
}

function resetWindows() {
  state.windows = Object.fromEntries(state.metrics.map((m) => [m.name, []]));
}

function addWindow(w) {
  const metric = state.metrics.find((m) => m.name === w.metric);
  if (!metric) return false;
  if (w.time !== state.time) { // another time mode: start over
    state.time = w.time;
    resetWindows();
  }
  const kept = state.windows[metric.name];
  if (kept.length && w.window_end <= kept[kept.length - 1].window_end) return false;
  if (metric.view === "ranking") {
    kept.splice(0, kept.length, w);
    return true;
  }
  kept.push(w);
  const oldest = w.window_end - state.historySecs;
  while (kept[0].window_end <= oldest) kept.shift();
  return true;
}

const newestOf = (name) => (state.windows[name] || []).slice(-1)[0] || null;
const ofView = (view) => state.metrics.filter((m) => m.view === view);

// ---- the event stream --------------------------------------------------------------

let drawPending = false;
function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; draw(); });
}

function connect() {
  const events = new EventSource("/events");
  const on = (name, handle) => events.addEventListener(name, (e) => { handle(JSON.parse(e.data)); scheduleDraw(); });
  on("history", (m) => {
    state.time = null;
    state.historySecs = m.history_secs;
    state.metrics = m.metrics;
    resetWindows();
    buildRankings();
    state.fresh = [];
    m.windows.forEach(addWindow);
    Object.assign(state, { tally: m.tally, health: m.health, storm: m.storm });
    $("source").textContent = m.windows_path;
    state.statusDir = m.status_dir;
  });
  on("window", (m) => { if (addWindow(m.window)) state.fresh.push(m.window); });
  on("tally", (m) => { state.tally = m.tally; });
  on("health", (m) => { state.health = m.health; });
  on("storm", (m) => { state.storm = m.storm; });
  events.onopen = () => setConnection("live", "live");
  events.onerror = () => {
    setConnection("reconnecting", "reconnecting…");
    if (events.readyState === EventSource.CLOSED) { // the browser gave up: try again ourselves
      setTimeout(connect, 2000);
    }
  };
}

function setConnection(stateName, text) {
  const el = $("connection");
  el.dataset.state = stateName;
  el.textContent = text;
}

// ---- drawing -----------------------------------------------------------------------

const statusChart = echarts.init($("status-chart"));
const rankingCharts = {}; // metric -> its chart
window.addEventListener("resize", () => {
  statusChart.resize();
  Object.values(rankingCharts).forEach((c) => c.resize());
});

// One panel per metric drawn as a ranking: its newest window's top keys, as bars and a list.
function buildRankings() {
  const panels = $("rankings");
  const wanted = ofView("ranking").map((m) => m.name).join(",");
  if (panels.dataset.metrics === wanted) return;
  panels.dataset.metrics = wanted;
  panels.replaceChildren();
  for (const m of ofView("ranking")) {
    const section = document.createElement("section");
    section.className = "panel";
    section.innerHTML = `<h2></h2><div class="split"><div class="chart"></div><ol class="ranking"></ol></div>`;
    section.querySelector("h2").append(`${m.title} of the current window `);
    const note = Object.assign(document.createElement("span"), { className: "note", id: `${m.name}-window-note` });
    section.querySelector("h2").append(note);
    section.querySelector(".chart").id = `${m.name}-chart`;
    section.querySelector("ol").id = `top-${m.name}`;
    panels.append(section);
    rankingCharts[m.name] = echarts.init(section.querySelector(".chart"));
  }
}

function draw() {
  drawMode();
  ofView("ranking").forEach((m) => drawRanking(m.name));
  drawStatus();
  drawCards();
  drawHealth();
  drawLag();
  const now = Date.now();
  for (const w of state.fresh) {
    window.dashboardLatencies.push({
      metric: w.metric, window_end: w.window_end, drawn_at: now,
      sink_to_screen_ms: now - w.written_at * 1000, read_to_screen_ms: now - w.read_at * 1000,
    });
  }
  if (state.fresh.length) {
    const ms = window.dashboardLatencies[window.dashboardLatencies.length - 1].sink_to_screen_ms;
    $("sink-to-screen").dataset.ms = ms.toFixed(1);
    $("sink-to-screen").textContent = `${fmt(ms)} ms`;
    state.fresh = [];
  }
  document.body.dataset.renders = Number(document.body.dataset.renders) + 1;
}

function drawMode() {
  const el = $("time-mode");
  el.dataset.mode = state.time || "";
  el.textContent = state.time === "event" ? "event time: the log's own clock" :
    state.time === "processing" ? "processing time: by arrival" : "waiting for windows…";
}

function drawRanking(name) {
  const w = newestOf(name);
  const list = $(`top-${name}`);
  list.replaceChildren();
  list.dataset.windowEnd = w ? w.window_end : "";
  $(`${name}-window-note`).textContent = w ? "" : "(no window yet)";
  if (!w) return;
  w.top.forEach(([key, count], i) => {
    const li = document.createElement("li");
    li.dataset.key = key;
    li.dataset.count = count;
    li.dataset.rank = i + 1;
    const c = document.createElement("span");
    c.className = "count";
    c.textContent = fmt(count);
    li.append(c, key);
    list.append(li);
  });
  $(`${name}-window-note`).textContent =
    `(${w.window_secs} s ending ${utc(w.window_end)}, every ${w.slide_secs} s)`;
  const short = (u) => (u.length > 38 ? `${u.slice(0, 36)}…` : u);
  rankingCharts[name].setOption({
    animation: false,
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "item", formatter: (p) => `${w.top[p.dataIndex][0]}<br>${fmt(p.value)} requests` },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: w.top.map(([u]) => short(u)) },
    series: [{ type: "bar", data: w.top.map(([, c]) => c), itemStyle: { color: "#3a7bd5" },
      label: { show: true, position: "right", formatter: (p) => fmt(p.value) } }],
  }, true);
}

function byClass(w) {
  const sums = Object.fromEntries(CLASSES.map((c) => [c, 0]));
  for (const [code, n] of w.top) sums[statusClass(code)] += n;
  sums.other += w.total - w.top.reduce((s, [, n]) => s + n, 0); // codes past the top N
  return sums;
}

function drawStatus() {
  const el = $("status-chart");
  const windows = ofView("status").flatMap((m) => state.windows[m.name]);
  el.dataset.points = windows.length;
  el.dataset.firstEnd = windows.length ? windows[0].window_end : "";
  el.dataset.lastEnd = windows.length ? windows[windows.length - 1].window_end : "";
  const mins = Math.round(state.historySecs / 60);
  const last = windows[windows.length - 1];
  $("status-note").textContent = last ?
    `(requests in each ${last.window_secs} s window, over the last ${mins} min of ` +
    `${state.time === "event" ? "the log's own time" : "arrival time"}, UTC)` : "";
  const sums = windows.map(byClass);
  const byEnd = new Map(windows.map((w) => [w.window_end * 1000, w]));
  const used = CLASSES.filter((c) => c !== "other" || sums.some((s) => s.other > 0));
  statusChart.setOption({
    animation: false,
    useUTC: true,
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, data: used },
    tooltip: { trigger: "axis", formatter: (ps) => statusTooltip(byEnd.get(ps[0].value[0])) },
    xAxis: { type: "time" },
    yAxis: { type: "value", minInterval: 1 },
    series: used.map((c) => ({
      name: c, type: "line", stack: "codes", showSymbol: false, areaStyle: {},
      color: COLORS[c], lineStyle: { width: 1 },
      data: windows.map((w, i) => [w.window_end * 1000, sums[i][c]]),
    })),
  }, true);
}

function statusTooltip(w) {
  if (!w) return "";
  const rows = CLASSES.map((c) => {
    const codes = w.top.filter(([code]) => statusClass(code) === c).map(([code, n]) => `${code}: ${fmt(n)}`);
    return codes.length ? `<b>${c}</b> ${codes.join(", ")}` : "";
  }).filter(Boolean);
  return [`window ending ${utc(w.window_end)}${w.partial ? ` (partial: ${w.partial})` : ""}`, ...rows].join("<br>");
}

function setValue(id, value, text) {
  $(id).dataset.value = value === null || value === undefined ? "" : value;
  $(id).textContent = text;
}

function newest() {
  return state.metrics.map((m) => newestOf(m.name)).filter(Boolean)
    .sort((a, b) => b.window_end - a.window_end)[0] || null;
}

function drawCards() {
  const w = newestOf("url"); // the cards count requests by the URL window: it slides every second
  if (w) {
    const rps = w.window_secs ? w.total / w.window_secs : 0;
    setValue("rps", rps.toFixed(2), fmt(rps, rps < 10 ? 2 : 0));
    $("window-shape").textContent = `${fmt(w.total)} in ${w.window_secs} s`;
    setValue("total", w.total, fmt(w.total));
    setValue("distinct", w.distinct, fmt(w.distinct));
  }
  const t = state.tally;
  if (t) {
    setValue("malformed", t.malformed_total, fmt(t.malformed_total));
    $("malformed-reasons").textContent = Object.entries(t.malformed).map(([r, n]) => `${r}: ${n}`).join("; ");
    setValue("late", t.late_total, fmt(t.late_total));
    $("late-metrics").textContent = Object.entries(t.late).map(([m, n]) => `${m}: ${n}`).join("; ");
  }
  const n = newest();
  if (n) {
    $("window-end").dataset.end = n.window_end;
    $("window-end").textContent = utc(n.window_end);
    const partial = $("partial");
    partial.dataset.partial = n.partial ? "true" : "false";
    partial.textContent = n.partial ? `partial: ${n.partial}` : "complete (every task reported)";
  }
}

function drawLag() {
  const n = newest();
  const el = $("lag");
  if (!n) return;
  if (state.time === "event") { // the log's clock: how far behind the wall clock says nothing
    el.dataset.secs = "";
    el.textContent = "event time: windows follow the log's clock, not the wall clock";
    return;
  }
  const secs = Math.max(0, Date.now() / 1000 - n.window_end);
  el.dataset.secs = secs.toFixed(1);
  el.textContent = `${fmt(secs, 1)} s behind real time`;
}
setInterval(drawLag, 1000);

function drawHealth() {
  const h = state.health;
  $("health").dataset.tasks = h ? h.tasks : 0;
  $("no-health").hidden = Boolean(h);
  $("no-health").textContent = `no spout status files (yet) in ${state.statusDir}`;
  if (h) {
    setValue("lines-per-sec", h.lines_per_sec, fmt(h.lines_per_sec));
    setValue("p99", h.p99_ms, h.p99_ms === null ? "–" : `${fmt(h.p99_ms)} ms`);
    setValue("p50", h.p50_ms, h.p50_ms === null ? "–" : `${fmt(h.p50_ms)} ms`);
    setValue("pending", h.pending, `${fmt(h.pending)} / ${fmt(h.failed)}`);
    setValue("tasks", h.live_tasks, `${h.live_tasks} of ${h.tasks}` +
      (h.live_tasks < h.tasks ? " (the others stopped reporting)" : ""));
  }
  const s = state.storm;
  $("storm").hidden = !s;
  if (s) {
    $("storm").textContent = s.error ? s.error :
      `Storm UI (${s.id}, last ${s.window_secs / 60} min): ${fmt(s.acked_tuples)} tuples acked, ` +
      `${fmt(s.failed_tuples)} failed, complete latency ${fmt(s.complete_latency_ms, 1)} ms`;
  }
  drawProgress(h && h.progress);
}

function drawProgress(p) {
  const el = $("progress");
  el.hidden = !p;
  if (!p) return;
  el.dataset.finished = p.finished ? "true" : "false";
  const mb = (b) => `${fmt(b / 1e6, 1)} MB`;
  $("progress-bar").style.width = `${p.bytes_total ? (100 * p.bytes_done) / p.bytes_total : 0}%`;
  $("progress-files").textContent = `${fmt(p.files_done)} of ${fmt(p.files_total)}`;
  $("progress-bytes").textContent = `${mb(p.bytes_done)} of ${mb(p.bytes_total)}`;
  $("progress-lines").textContent = fmt(p.lines);
  $("progress-rate").textContent = fmt(p.lines_per_sec);
  $("progress-eta").textContent = p.finished ?
    `finished: ${fmt(p.lines)} lines, ${mb(p.bytes_total)} in ${fmt(p.secs)} s` :
    p.eta_secs === null ? "unknown" : `${fmt(p.eta_secs)} s`;
}

connect();
