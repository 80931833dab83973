import { PALETTE } from './page-assets.js';

/**
 * The analysis page's script (plain ES5-style JavaScript, run after plotly): reads the JSON
 * payload from `#report-data` and draws the UMAP (coloured by cluster or any metadata column),
 * the silhouette plot, the confusion-matrix heat map and the per-class scores. Text from the
 * data is escaped before plotly sees it (plotly reads labels as pseudo-HTML). Each plot gets
 * `data-rendered` when drawn; `body[data-report-ready]` is set when all are.
 */
export const ANALYSIS_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var PALETTE = ${JSON.stringify(PALETTE)};
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
  var pending = [];
  function esc(text) {
    return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
  function colour(i) { return i < 0 ? '#9aa5b1' : PALETTE[i % PALETTE.length]; }
  function layout(extra) {
    var base = { font: { family: 'system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif', size: 12, color: '#1f2933' },
      margin: { l: 64, r: 24, t: 30, b: 52 }, paper_bgcolor: '#ffffff', plot_bgcolor: '#ffffff', hovermode: 'closest' };
    for (var key in extra) base[key] = extra[key];
    return base;
  }
  function draw(id, traces, lay, replace) {
    var el = document.getElementById(id);
    if (!el) return;
    if (replace) { Plotly.react(el, traces, layout(lay), CONFIG); return; }
    pending.push(Plotly.newPlot(el, traces, layout(lay), CONFIG).then(function () {
      el.setAttribute('data-rendered', 'true');
    }));
  }

  function umapTraces(col) {
    var u = data.umap;
    var traces = [];
    col.categories.forEach(function (cat, k) {
      var xs = [], ys = [], ts = [];
      col.values.forEach(function (v, i) { if (v === k) { xs.push(u.x[i]); ys.push(u.y[i]); ts.push(esc(data.labels[i])); } });
      var name = col.name === 'cluster' ? (cat === '-1' ? 'noise' : 'Cluster ' + esc(cat)) : esc(cat);
      traces.push({ type: 'scatter', mode: 'markers', x: xs, y: ys, text: ts, name: name,
        marker: { size: 8, opacity: 0.8, color: colour(col.name === 'cluster' ? Number(cat) : k) },
        hovertemplate: '%{text}<extra>' + name + '</extra>' });
    });
    return traces;
  }
  function drawUmap() {
    if (!data.umap) return;
    var select = document.getElementById('umap-colour');
    var lay = { xaxis: { title: { text: 'UMAP 1' }, showticklabels: false, zeroline: false },
      yaxis: { title: { text: 'UMAP 2' }, showticklabels: false, zeroline: false, scaleanchor: 'x' } };
    draw('plot-umap', umapTraces(data.colourings[0]), lay);
    if (select) select.addEventListener('change', function () {
      draw('plot-umap', umapTraces(data.colourings[Number(select.value)]), lay, true);
    });
  }

  function drawSilhouette() {
    var s = data.silhouette;
    if (!s) return;
    // Profiles grouped by cluster, each cluster sorted by silhouette, as scikit-learn's example plot.
    var order = s.values.map(function (_, i) { return i; }).filter(function (i) { return s.labels[i] >= 0; });
    order.sort(function (a, b) { return s.labels[a] - s.labels[b] || s.values[b] - s.values[a]; });
    var clusters = [];
    order.forEach(function (i) { if (clusters.indexOf(s.labels[i]) < 0) clusters.push(s.labels[i]); });
    var traces = clusters.map(function (c) {
      var rows = order.filter(function (i) { return s.labels[i] === c; });
      return { type: 'bar', orientation: 'h', name: 'Cluster ' + c, marker: { color: colour(c) },
        x: rows.map(function (i) { return s.values[i]; }), y: rows.map(function (i) { return order.indexOf(i); }),
        text: rows.map(function (i) { return esc(data.labels[i]); }),
        hovertemplate: '%{text}: %{x:.3f}<extra>Cluster ' + c + '</extra>' };
    });
    traces.push({ type: 'scatter', mode: 'lines', name: 'mean ' + s.mean.toFixed(3),
      x: [s.mean, s.mean], y: [-0.5, order.length - 0.5], line: { color: '#e45756', dash: 'dash' } });
    draw('plot-silhouette', traces, { bargap: 0, height: Math.max(320, Math.min(900, 6 * order.length + 120)),
      xaxis: { title: { text: 'Silhouette coefficient' }, range: [Math.min(-0.1, Math.min.apply(null, s.values)), 1] },
      yaxis: { showticklabels: false, title: { text: 'Profiles, by cluster' } } });
  }

  function drawConfusion() {
    var c = data.classification;
    if (!c) return;
    var classes = c.classes.map(esc);
    var share = c.confusion.map(function (row) {
      var total = row.reduce(function (a, b) { return a + b; }, 0);
      return row.map(function (v) { return total ? v / total : 0; });
    });
    draw('plot-confusion', [{ type: 'heatmap', z: share, x: classes, y: classes, customdata: c.confusion,
      colorscale: [[0, '#f7fbff'], [0.5, '#6baed6'], [1, '#08306b']], zmin: 0, zmax: 1,
      colorbar: { title: { text: 'share of row', side: 'top' }, thickness: 12 },
      text: c.confusion.map(function (row) { return row.map(String); }), texttemplate: '%{text}',
      hovertemplate: 'true %{y}, predicted %{x}: %{customdata} (%{z:.0%})<extra></extra>' }],
      { height: Math.max(340, 40 * classes.length + 160), margin: { l: 140, r: 24, t: 20, b: 120 },
        xaxis: { title: { text: 'Predicted' }, type: 'category', tickangle: -45 },
        yaxis: { title: { text: 'True' }, type: 'category', autorange: 'reversed' } });
    var names = ['precision', 'recall', 'f1'];
    draw('plot-class-scores', names.map(function (name, k) {
      return { type: 'bar', name: name === 'f1' ? 'F1' : name, x: classes, marker: { color: colour(k) },
        y: c.perClass.map(function (p) { return p[name]; }),
        hovertemplate: '%{x}: %{y:.3f}<extra>' + name + '</extra>' };
    }), { barmode: 'group', yaxis: { title: { text: 'Score' }, range: [0, 1.05] },
      xaxis: { type: 'category', tickangle: -45 }, margin: { l: 64, r: 24, t: 20, b: 120 } });
  }

  [drawUmap, drawSilhouette, drawConfusion].forEach(function (step) {
    try { step(); } catch (error) { console.error('cellshape analyse:', error); }
  });
  Promise.all(pending).then(function () {
    document.body.setAttribute('data-report-ready', 'true');
  }, function (error) { console.error('cellshape analyse:', error); });
})();
`;
