/** Categorical colours of the page (shape mode c gets `PALETTE[c % 20]`), in plots and swatches. */
export const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#eeca3b',
  '#9d755d',
  '#ff9da6',
  '#bab0ac',
  '#1f77b4',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
] as const;

/** The report page's style sheet. */
export const REPORT_CSS = `
:root { --ink: #1f2933; --muted: #52606d; --line: #e4e7eb; --accent: #2563eb; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { background: #102a43; color: #fff; padding: 28px 40px 22px; }
header.top h1 { margin: 0 0 6px; font-size: 26px; font-weight: 600; letter-spacing: .2px; }
header.top p { margin: 0; color: #bcccdc; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 16px; }
.stat { background: rgba(255,255,255,.08); border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.stat b { display: block; font-size: 20px; color: #fff; }
.stat span { font-size: 12px; color: #9fb3c8; text-transform: uppercase; letter-spacing: .6px; }
nav.toc { position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 1px solid var(--line);
  padding: 8px 40px; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 14px; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 60px; }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 24px 22px; margin: 18px 0; box-shadow: 0 1px 2px rgba(16,42,67,.05); }
section.card h2 { margin: 0 0 6px; font-size: 20px; font-weight: 600; }
section.card h3 { margin: 18px 0 4px; font-size: 16px; font-weight: 600; }
p.caption { margin: 0 0 12px; color: var(--muted); max-width: 880px; }
p.note { margin: 8px 0; padding: 10px 14px; background: #fffbea; border-left: 4px solid #f0b429;
  color: #513c06; border-radius: 4px; }
.missing { background: #fff; border: 1px solid #f0b429; border-radius: 10px; padding: 12px 20px; margin: 18px 0; }
.missing h2 { font-size: 16px; margin: 0 0 6px; }
.missing ul { margin: 0; padding-left: 20px; color: var(--muted); }
.plot { width: 100%; min-height: 320px; }
.plot.tall { min-height: 420px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 12px; }
.controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin: 4px 0 8px; font-size: 14px; }
.controls label { color: var(--muted); }
select { font: inherit; padding: 4px 8px; border: 1px solid #cbd2d9; border-radius: 6px; background: #fff; }
table.kv { border-collapse: collapse; width: 100%; font-size: 13.5px; }
table.kv th, table.kv td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.kv th { width: 34%; color: var(--muted); font-weight: 500; font-family: ui-monospace, Menlo, Consolas, monospace; }
table.kv td { word-break: break-word; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(390px, 1fr)); gap: 14px; }
.mode { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.mode h3 { margin: 0 0 6px; display: flex; align-items: center; gap: 8px; }
.swatch { width: 14px; height: 14px; border-radius: 3px; display: inline-block; }
.mode .cells { display: flex; flex-wrap: wrap; gap: 10px; }
button.exemplar { border: 1px solid var(--line); border-radius: 8px; background: #fbfcfd; padding: 4px;
  cursor: pointer; display: flex; flex-direction: column; align-items: center; font: inherit; }
button.exemplar img.slices { display: block; image-rendering: pixelated; max-width: 360px; height: auto; margin: 2px auto; }
button.exemplar:hover, button.exemplar.active { border-color: var(--accent); box-shadow: 0 0 0 2px rgba(37,99,235,.15); }
button.exemplar span { font-size: 12px; color: var(--muted); max-width: 180px; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
footer { text-align: center; color: var(--muted); font-size: 13px; padding: 20px; }
@media print { nav.toc { display: none; } section.card { break-inside: avoid; } }
`;

/**
 * The report page's script (plain ES5-style JavaScript, run in the browser after plotly): it
 * reads the JSON payload from `#report-data` and draws every plot. Text from the run's files
 * is escaped before plotly sees it, because plotly interprets labels as pseudo-HTML. Each plot
 * container gets `data-rendered` when drawn; `body[data-report-ready]` is set when all are.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var PALETTE = ${JSON.stringify(PALETTE)};
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
  var pending = [];
  // Blue (less) – white – red (more); white to dark red for divergences (0 = alike).
  var DIVERGING = [[0, '#2166ac'], [0.25, '#92c5de'], [0.5, '#f7f7f7'], [0.75, '#f4a582'], [1, '#b2182b']];
  var SEQUENTIAL = [[0, '#fff7ec'], [0.35, '#fdbb84'], [0.7, '#e34a33'], [1, '#7f0000']];

  function esc(text) {
    return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
  function colour(i) { return PALETTE[i % PALETTE.length]; }
  function modeLabel(c) { return 'Mode ' + c; }
  function layout(extra) {
    var base = {
      font: { family: 'system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif', size: 12, color: '#1f2933' },
      margin: { l: 64, r: 24, t: 36, b: 52 },
      paper_bgcolor: '#ffffff', plot_bgcolor: '#ffffff',
      hoverlabel: { font: { size: 12 } },
      legend: { orientation: 'v' }
    };
    for (var key in extra) base[key] = extra[key];
    return base;
  }
  function axis(title, extra) {
    var a = { title: { text: title }, gridcolor: '#eef1f4', zerolinecolor: '#d9dee3', automargin: true };
    for (var key in extra) a[key] = extra[key];
    return a;
  }
  function draw(id, traces, lay) {
    var el = document.getElementById(id);
    if (!el) return;
    pending.push(Plotly.newPlot(el, traces, layout(lay), CONFIG).then(function () {
      el.setAttribute('data-rendered', 'true');
    }));
  }
  function logScale(values) {
    var pos = values.filter(function (v) { return v !== null; });
    if (pos.length < 2 || pos.some(function (v) { return v <= 0; })) return false;
    return Math.max.apply(null, pos) / Math.min.apply(null, pos) > 20;
  }

  function drawTraining(stage, id, title) {
    var set = data.training[stage];
    if (!set) return;
    var traces = [{ x: set.epochs, y: set.loss, name: 'total loss', mode: 'lines+markers',
      line: { width: 2.5, color: '#102a43' }, marker: { size: 5 } }];
    var all = set.loss.slice();
    Object.keys(set.parts).forEach(function (name, i) {
      traces.push({ x: set.epochs, y: set.parts[name], name: esc(name), mode: 'lines',
        line: { dash: 'dash', width: 1.8, color: colour(i + 1) } });
      all = all.concat(set.parts[name]);
    });
    draw(id, traces, { title: { text: title, font: { size: 14 } },
      xaxis: axis('Epoch', { dtick: set.epochs.length <= 12 ? 1 : undefined }),
      yaxis: axis('Mean loss per epoch', { type: logScale(all) ? 'log' : 'linear' }) });
  }

  function drawChooseK() {
    var c = data.chooseK;
    if (!c) return;
    var traces = [{ x: c.ks, y: c.inertia, mode: 'lines+markers', name: 'inertia',
      line: { color: '#4c78a8', width: 2 } }];
    var i = c.ks.indexOf(c.k);
    if (i >= 0) traces.push({ x: [c.k], y: [c.inertia[i]], mode: 'markers', name: 'chosen k = ' + c.k,
      marker: { size: 14, color: '#e45756', symbol: 'circle-open', line: { width: 3 } } });
    draw('plot-choose-k', traces, { xaxis: axis('Number of clusters k', { dtick: 1 }),
      yaxis: axis('k-means inertia') });
  }

  function umapTraces(ci, density) {
    var u = data.umap;
    var col = u.colourings[ci];
    var text = u.ids.map(esc);
    var traces = [];
    if (!col) {
      traces.push({ type: 'scatter', mode: 'markers', x: u.x, y: u.y, text: text, name: 'cells',
        marker: { size: 5, color: '#4c78a8', opacity: 0.7 }, hovertemplate: '%{text}<extra></extra>' });
    } else if (col.kind === 'numeric') {
      traces.push({ type: 'scatter', mode: 'markers', x: u.x, y: u.y, text: text, name: esc(col.name),
        marker: { size: 5, color: col.values, colorscale: 'Viridis', opacity: 0.8, showscale: true,
          colorbar: { title: { text: esc(col.name), side: 'top' }, thickness: 12 } },
        hovertemplate: '%{text}<br>' + esc(col.name) + ': %{marker.color}<extra></extra>' });
    } else {
      col.categories.forEach(function (cat, k) {
        var xs = [], ys = [], ts = [];
        col.values.forEach(function (v, i) { if (v === k) { xs.push(u.x[i]); ys.push(u.y[i]); ts.push(text[i]); } });
        var label = col.name === 'cluster' ? modeLabel(cat) : esc(cat);
        traces.push({ type: 'scatter', mode: 'markers', x: xs, y: ys, text: ts, name: label,
          marker: { size: 5, color: colour(col.name === 'cluster' ? Number(cat) : k), opacity: 0.75 },
          hovertemplate: '%{text}<extra>' + label + '</extra>' });
      });
    }
    if (density) {
      var parts = density.split(':');
      var dcol = u.colourings[Number(parts[0])];
      var dk = Number(parts[1]);
      var dx = [], dy = [];
      dcol.values.forEach(function (v, i) { if (v === dk) { dx.push(u.x[i]); dy.push(u.y[i]); } });
      traces.push({ type: 'histogram2dcontour', x: dx, y: dy, ncontours: 10, showscale: false,
        name: 'density: ' + esc(dcol.categories[dk]), colorscale: [[0, 'rgba(16,42,67,0)'], [1, '#102a43']],
        contours: { coloring: 'lines', showlabels: false }, line: { width: 1.4 }, hoverinfo: 'skip' });
    }
    return traces;
  }
  function drawUmap() {
    var u = data.umap;
    if (!u) return;
    var select = document.getElementById('umap-colour');
    var dens = document.getElementById('umap-density');
    var lay = function () {
      return layout({ xaxis: axis('UMAP 1', { showticklabels: false, zeroline: false }),
        yaxis: axis('UMAP 2', { showticklabels: false, zeroline: false, scaleanchor: 'x' }),
        legend: { itemsizing: 'constant' }, hovermode: 'closest' });
    };
    var el = document.getElementById('plot-umap');
    pending.push(Plotly.newPlot(el, umapTraces(0, ''), lay(), CONFIG).then(function () {
      el.setAttribute('data-rendered', 'true');
    }));
    var update = function () { Plotly.react(el, umapTraces(Number(select.value), dens ? dens.value : ''), lay(), CONFIG); };
    if (select) select.addEventListener('change', update);
    if (dens) dens.addEventListener('change', update);
  }

  function drawSizes() {
    var s = data.clusterSizes;
    if (!s) return;
    var total = s.counts.reduce(function (a, b) { return a + b; }, 0);
    draw('plot-sizes', [{ type: 'bar', x: s.clusters.map(modeLabel), y: s.counts,
      marker: { color: s.clusters.map(colour) },
      text: s.counts.map(function (c) { return c + ' (' + (total ? (100 * c / total).toFixed(1) : 0) + '%)'; }),
      textposition: 'auto', hovertemplate: '%{x}: %{y} cells<extra></extra>' }],
      { xaxis: axis('Shape mode (cluster)'), yaxis: axis('Cells'), showlegend: false });
  }

  function webgl() {
    try {
      var c = document.createElement('canvas');
      return !!(window.WebGLRenderingContext && (c.getContext('webgl2') || c.getContext('webgl')));
    } catch (e) { return false; }
  }
  function drawViewer() {
    var ex = data.exemplars;
    var el = document.getElementById('plot-exemplar-3d');
    if (!ex || !el) return;
    var select = document.getElementById('exemplar-select');
    if (!webgl()) {
      el.innerHTML = '<p class="note">This browser offers no WebGL, so the interactive 3D view is off; the static views above show every exemplar.</p>';
      el.setAttribute('data-rendered', 'static');
      return;
    }
    var show = function (first) {
      var parts = select.value.split(':');
      var c = ex[Number(parts[0])];
      var e = c.exemplars[Number(parts[1])];
      var buttons = document.querySelectorAll('button.exemplar');
      for (var b = 0; b < buttons.length; b++)
        buttons[b].classList.toggle('active', buttons[b].getAttribute('data-exemplar') === select.value);
      var trace = { type: 'scatter3d', mode: 'markers', x: e.x, y: e.y, z: e.z, name: esc(e.id),
        marker: { size: 2.2, color: e.z, colorscale: [[0, '#c6dbef'], [1, colour(c.cluster)]], opacity: 0.9 },
        hoverinfo: 'skip' };
      var lay = layout({ margin: { l: 0, r: 0, t: 30, b: 0 },
        title: { text: modeLabel(c.cluster) + ' \\u2014 ' + esc(e.id), font: { size: 14 } },
        scene: { aspectmode: 'data', xaxis: { title: { text: 'x' } }, yaxis: { title: { text: 'y' } },
          zaxis: { title: { text: 'z' } } } });
      var p = (first ? Plotly.newPlot : Plotly.react)(el, [trace], lay, CONFIG);
      if (first) pending.push(p.then(function () { el.setAttribute('data-rendered', 'true'); }));
    };
    select.addEventListener('change', function () { show(false); });
    var buttons = document.querySelectorAll('button.exemplar');
    for (var b = 0; b < buttons.length; b++) {
      buttons[b].addEventListener('click', function (event) {
        select.value = event.currentTarget.getAttribute('data-exemplar');
        show(false);
        el.scrollIntoView({ behavior: 'smooth', block: 'center' });
      });
    }
    show(true);
  }

  function drawSignatures() {
    var s = data.signatures;
    if (!s) return;
    var groups = s.groups.map(esc);
    var theta = s.clusters.map(modeLabel).concat([modeLabel(s.clusters[0])]);
    // Show the references and the largest groups; the rest start hidden (click the legend).
    var byCount = s.groups.map(function (_, i) { return i; }).sort(function (a, b) { return s.counts[b] - s.counts[a]; });
    var shown = {};
    s.references.forEach(function (r) { shown[s.groups.indexOf(r)] = true; });
    byCount.forEach(function (i) { if (Object.keys(shown).length < 6) shown[i] = true; });
    var radar = s.groups.map(function (_, g) {
      return { type: 'scatterpolar', r: s.mean[g].concat([s.mean[g][0]]), theta: theta, name: groups[g],
        mode: 'lines+markers', fill: 'toself', opacity: 0.75, line: { color: colour(g), width: 2 },
        visible: shown[g] ? true : 'legendonly',
        hovertemplate: groups[g] + '<br>%{theta}: %{r:.3f}<extra></extra>' };
    });
    var maxR = Math.max.apply(null, s.mean.map(function (row) { return Math.max.apply(null, row); }));
    draw('plot-radar', radar, { polar: { radialaxis: { range: [0, Math.min(1, maxR * 1.1)], angle: 90,
      nticks: 5, tickfont: { size: 10, color: '#7b8794' } }, angularaxis: { tickfont: { size: 13 } } },
      margin: { l: 40, r: 40, t: 40, b: 40 } });
    if (s.standardised) {
      var rows = s.rowOrder, cols = s.colOrder;
      var height = Math.max(340, 24 * rows.length + 140);
      draw('plot-heatmap', [{ type: 'heatmap',
        z: rows.map(function (g) { return cols.map(function (c) { return s.standardised[g][c]; }); }),
        customdata: rows.map(function (g) { return cols.map(function (c) { return s.mean[g][c]; }); }),
        x: cols.map(function (c) { return modeLabel(s.clusters[c]); }), y: rows.map(function (g) { return groups[g]; }),
        colorscale: DIVERGING, zmid: 0,
        colorbar: { title: { text: 'z-score', side: 'top' }, thickness: 12 },
        hovertemplate: '%{y}, %{x}<br>z = %{z:.2f}<br>mean soft label = %{customdata:.3f}<extra></extra>' }],
        { height: height, xaxis: axis('Shape mode', { side: 'bottom' }),
          yaxis: axis('', { autorange: 'reversed', type: 'category' }), margin: { l: 140, r: 24, t: 20, b: 60 } });
      draw('plot-kl', [{ type: 'heatmap',
        z: rows.map(function (a) { return rows.map(function (b) { return s.kl[a][b]; }); }),
        x: rows.map(function (g) { return groups[g]; }), y: rows.map(function (g) { return groups[g]; }),
        colorscale: SEQUENTIAL, zmin: 0, colorbar: { title: { text: 'KL (nats)', side: 'top' }, thickness: 12 },
        hovertemplate: 'KL(%{y} \\u2016 %{x}) = %{z:.3f} nats<extra></extra>' }],
        { height: height, xaxis: axis('Against (second argument)', { type: 'category', tickangle: -45 }),
          yaxis: axis('', { autorange: 'reversed', type: 'category' }), margin: { l: 140, r: 24, t: 20, b: 120 } });
    }
    if (s.klReferences) drawReferences(s, groups);
  }
  function drawReferences(s, groups) {
    var refs = s.references.map(esc);
    var kl = s.klReferences;
    var isRef = s.groups.map(function (g) { return s.references.indexOf(g) >= 0; });
    if (refs.length === 1) {
      var order = s.groups.map(function (_, i) { return i; }).sort(function (a, b) { return kl[a][0] - kl[b][0]; });
      draw('plot-kl-ref-0', [{ type: 'bar', orientation: 'h', y: order.map(function (g) { return groups[g]; }),
        x: order.map(function (g) { return kl[g][0]; }), marker: { color: '#4c78a8' },
        hovertemplate: 'KL(%{y} \\u2016 ' + refs[0] + ') = %{x:.3f}<extra></extra>' }],
        { height: Math.max(320, 20 * order.length + 100), xaxis: axis('KL divergence from ' + refs[0] + ' (nats)'),
          yaxis: axis('', { type: 'category', autorange: 'reversed' }), margin: { l: 140, r: 24, t: 20, b: 52 } });
      return;
    }
    var pairs = [];
    for (var a = 0; a < refs.length; a++) for (var b = a + 1; b < refs.length; b++) pairs.push([a, b]);
    pairs.slice(0, 3).forEach(function (pair, p) {
      var a = pair[0], b = pair[1];
      var many = groups.length > 40;
      var xs = kl.map(function (row) { return row[a]; });
      var ys = kl.map(function (row) { return row[b]; });
      var pad = function (v) { var m = Math.max.apply(null, v) || 1; return [-0.06 * m, 1.12 * m]; };
      draw('plot-kl-ref-' + p, [{ type: 'scatter', mode: many ? 'markers' : 'markers+text',
        x: xs, y: ys, text: groups, textposition: 'top center', textfont: { size: 11 }, cliponaxis: false,
        marker: { size: isRef.map(function (r) { return r ? 13 : 9; }),
          color: isRef.map(function (r) { return r ? '#e45756' : '#4c78a8'; }), opacity: 0.85,
          line: { width: 1, color: '#ffffff' } },
        hovertemplate: '%{text}<br>KL from ' + refs[a] + ' = %{x:.3f}<br>KL from ' + refs[b] + ' = %{y:.3f}<extra></extra>' }],
        { xaxis: axis('KL divergence from ' + refs[a] + ' (nats)', { range: pad(xs) }),
          yaxis: axis('KL divergence from ' + refs[b] + ' (nats)', { range: pad(ys) }), showlegend: false });
    });
  }

  var steps = [
    function () { drawTraining('pretrain', 'plot-pretrain', 'Pretraining (autoencoder)'); },
    function () { drawTraining('idec', 'plot-idec', 'IDEC (autoencoder + clustering layer)'); },
    drawChooseK, drawUmap, drawSizes, drawViewer, drawSignatures
  ];
  steps.forEach(function (step) {
    try { step(); } catch (error) { console.error('cellshape report:', error); }
  });
  Promise.all(pending).then(function () {
    document.body.setAttribute('data-report-ready', 'true');
  }, function (error) { console.error('cellshape report:', error); });
})();
`;
