// The Health page: polls /api/health every 2 s while the page is shown
// (not while another page or another tab is), keeps the last samples in memory and draws
// them as small SVG line charts (rates from the counters' differences
// between polls) next to tiles with the current values.
import { api } from './api.js';
import { $, el } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const pollMs = 2000;
const keep = 61; // 60 intervals
const width = 300;
const height = 80;

let samples = [];
let timer = 0;
let generation = 0; // a poll of an earlier showing of the page stops itself

// [page shown] Starts polling; `guarded` sends a 401 back to sign-in.
export function startHealth(guarded) {
  stopHealth();
  const mine = ++generation;
  const poll = async () => {
    // A tab in the background asks nothing; the next poll after it returns does.
    if (document.hidden) {
      timer = setTimeout(poll, pollMs);
      return;
    }
    try {
      const sample = await guarded(api.health());
      if (mine !== generation) return;
      samples.push(sample);
      if (samples.length > keep) samples.shift();
      $('health-error').hidden = true;
      render();
    } catch (e) {
      if (mine !== generation) return;
      $('health-error').textContent = `The numbers cannot be read: ${e.message}`;
      $('health-error').hidden = false;
    }
    if (mine === generation) timer = setTimeout(poll, pollMs);
  };
  poll();
}

// [another page shown, or signed out] No more polls.
export function stopHealth() {
  generation++;
  clearTimeout(timer);
}

// ---- series --------------------------------------------------------------

// One value per interval between polls (every series has one fewer value
// than there are samples, the newest at the right edge).

// Per second between consecutive samples; null where a counter went back
// (the host restarted) or no time passed.
function rate(pick) {
  const out = [];
  for (let i = 1; i < samples.length; i++) {
    const seconds = (samples[i].time - samples[i - 1].time) / 1000;
    const delta = pick(samples[i]) - pick(samples[i - 1]);
    out.push(seconds > 0 && delta >= 0 ? delta / seconds : null);
  }
  return out;
}

// Mean store call time (ms) within each interval; null when no call.
function storeLatency() {
  const out = [];
  for (let i = 1; i < samples.length; i++) {
    const calls = samples[i].store.calls - samples[i - 1].store.calls;
    const micros = samples[i].store.micros - samples[i - 1].store.micros;
    out.push(calls > 0 && micros >= 0 ? micros / calls / 1000 : null);
  }
  return out;
}

const charts = [
  { id: 'requests', title: 'Requests per second', unit: '/s', series: () => [
    { name: 'all', values: rate((s) => s.requests.total) },
    { name: '4xx', values: rate((s) => s.requests.byClass['4xx']) },
    { name: '5xx', values: rate((s) => s.requests.byClass['5xx']) }] },
  { id: 'kdf', title: 'KDF queue depth', unit: '', series: () => [
    { name: 'queued', values: samples.slice(1).map((s) => s.kdf.queued) }] },
  { id: 'logins', title: 'Sign-ins per second', unit: '/s', series: () => [
    { name: 'success', values: rate((s) => s.logins.success) },
    { name: 'failure', values: rate((s) => s.logins.failure) },
    { name: 'mfa required', values: rate((s) => s.logins.mfa_required) },
    { name: 'refused', values: rate((s) => s.logins.refused) }] },
  { id: 'store', title: 'Store call time (mean)', unit: ' ms', series: () => [
    { name: 'mean', values: storeLatency() }] },
];

// ---- drawing -------------------------------------------------------------

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

function format(value, unit) {
  if (value === null || value === undefined) return '—';
  const digits = value >= 100 || Number.isInteger(value) ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit}`;
}

// One chart: a polyline per series (broken where a value is missing), on a
// scale from 0 (just above the axis, so a quiet series stays visible) to
// the largest value shown; the x axis spans the polls so far, up to `keep`.
function drawChart(chart) {
  const series = chart.series();
  const values = series.flatMap((s) => s.values).filter((v) => v !== null);
  const top = Math.max(1e-9, ...values) * 1.1;
  const length = Math.max(0, ...series.map((s) => s.values.length));
  const step = width / Math.max(1, length - 1);
  const plot = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', class: 'chart', role: 'img', 'aria-label': chart.title });
  plot.append(svg('line', { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'axis' }));
  let points = 0;
  series.forEach((s, index) => {
    const offset = length - s.values.length; // the newest value at the right edge
    let run = [];
    const flush = () => {
      if (run.length > 1) plot.append(svg('polyline', { points: run.join(' '), class: `line s${index}` }));
      else if (run.length === 1) plot.append(svg('circle', { cx: run[0].split(',')[0], cy: run[0].split(',')[1], r: 1.5, class: `dot s${index}` }));
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null) return flush();
      const x = (offset + i) * step;
      const y = height - 3 - (v / top) * (height - 8);
      run.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    });
    flush();
    points = Math.max(points, s.values.filter((v) => v !== null).length);
  });
  plot.dataset.points = String(points);
  const legend = el('div', { class: 'legend' }, series.map((s, index) => {
    const last = s.values.length ? s.values[s.values.length - 1] : null;
    return el('span', { class: `key s${index}` }, el('span', { class: 'swatch' }), `${s.name} ${format(last, chart.unit)}`);
  }));
  const card = el('figure', { class: 'card chart-card', id: `health-chart-${chart.id}` },
    el('figcaption', {}, chart.title, el('span', { class: 'muted', text: ` max ${format(values.length ? Math.max(...values) : null, chart.unit)}` })),
    plot, legend);
  return card;
}

function tile(label, value, note, tone) {
  return el('div', { class: `card tile${tone ? ` ${tone}` : ''}` },
    el('div', { class: 'tile-label', text: label }),
    el('div', { class: 'tile-value', text: value }),
    note ? el('div', { class: 'muted tile-note', text: note }) : null);
}

function render() {
  const now = samples[samples.length - 1];
  $('health-tiles').replaceChildren(
    tile('Ready', now.ready ? 'yes' : 'no', now.ready ? 'the store answers' : now.reason, now.ready ? 'good' : 'bad'),
    tile('Workers', `${now.workers.serving} / ${now.workers.wanted}`, 'serving / wanted', now.workers.serving < now.workers.wanted ? 'bad' : null),
    tile('Restarts', String(now.workers.restarts), 'workers that died unasked', now.workers.restarts > 0 ? 'warn' : null),
    tile('KDF rejections', String(now.kdf.rejections), 'credential jobs refused for load', now.kdf.rejections > 0 ? 'warn' : null),
    tile('Requests', String(now.requests.total), Object.entries(now.requests.byDialect).map(([d, n]) => `${d || 'none'} ${n}`).join(', ')),
    tile('Store calls', String(now.store.calls), now.store.meanMs === null ? 'none yet' : `mean ${format(now.store.meanMs, ' ms')}`),
    tile('Version', now.version, `ABI ${now.abi}`));
  $('health-charts').replaceChildren(...charts.map(drawChart));
}
