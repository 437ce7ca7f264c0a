#!/usr/bin/env node
// Prints the summary of a load test run: Artillery's JSON report (--output) plus what run.sh
// measured around it (CPU, memory, the classification queue). Also writes it as JSON
// (--summary-out). Usage: node summarize.js REPORT.json [--name value ...]
'use strict';

const fs = require('fs');

function parseArgs(argv) {
  const args = { report: argv[0] };
  for (let i = 1; i < argv.length; i += 2) {
    args[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  return args;
}

const num = (v, d = 0) => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? d : Number(v));
const ms = (v) => (v === undefined ? '-' : `${Math.round(v)} ms`);
const pct = (v) => `${Math.round(v)} %`;

/** Per-second CPU from the samples: "ms server client s3 dynamodb rssKb busy total threads" lines. */
function cpuFromSamples(file, clkTck) {
  if (!file || !fs.existsSync(file)) return null;
  const rows = fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((r) => r.length === 9 && r.every(Number.isFinite));
  const per = [];
  for (let i = 1; i < rows.length; i++) {
    const [t0, s0, c0, s30, d0, , busy0, tot0] = rows[i - 1];
    const [t1, s1, c1, s31, d1, rss, busy1, tot1, threads] = rows[i];
    const secs = (t1 - t0) / 1000;
    if (secs <= 0 || tot1 <= tot0) continue;
    // Percent of one core; the machine's busy share in cores, from /proc/stat.
    const cores = ((busy1 - busy0) / (tot1 - tot0)) * require('os').cpus().length;
    const server = (Math.max(0, s1 - s0) / clkTck / secs) * 100;
    const client = c1 >= c0 ? ((c1 - c0) / clkTck / secs) * 100 : 0;
    const s3 = (Math.max(0, s31 - s30) / clkTck / secs) * 100;
    const dynamodb = (Math.max(0, d1 - d0) / clkTck / secs) * 100;
    per.push({ server, client, s3, dynamodb, machine: cores * 100, rssKb: rss, threads });
  }
  if (per.length === 0) return null;
  const mean = (k) => per.reduce((a, r) => a + r[k], 0) / per.length;
  const max = (k) => Math.max(...per.map((r) => r[k]));
  const out = {};
  for (const k of ['server', 'client', 's3', 'dynamodb', 'machine']) out[k] = { mean: mean(k), max: max(k) };
  const known = out.server.mean + out.client.mean + out.s3.mean + out.dynamodb.mean;
  out.other = { mean: Math.max(0, out.machine.mean - known) };
  // RSS when the load began (after start-up and, in Task 1, seeding) against its peak during
  // the load: what the load itself added.
  out.serverRssStartKb = rows[0][5];
  out.serverRssMaxKb = max('rssKb');
  out.serverThreadsMax = max('threads');
  out.seconds = per.length;
  return out;
}

function main() {
  const a = parseArgs(process.argv.slice(2));
  const report = JSON.parse(fs.readFileSync(a.report, 'utf8'));
  const agg = report.aggregate || {};
  const c = agg.counters || {};
  const s = agg.summaries || {};
  const clk = num(a['clk-tck'], 100);
  const loadS = num(a['load-ms']) / 1000;

  const durationS =
    agg.firstCounterAt && agg.lastCounterAt ? (agg.lastCounterAt - agg.firstCounterAt) / 1000 : loadS;
  const requests = num(c['http.requests']);
  const peakRate = Math.max(
    0,
    ...(report.intermediate || []).map((p) => num((p.rates || {})['http.request_rate']))
  );
  const errors = Object.entries(c)
    .filter(([k]) => k.startsWith('errors.'))
    .map(([k, v]) => ({ error: k.slice('errors.'.length), count: v }));
  const codes = Object.fromEntries(
    Object.entries(c)
      .filter(([k]) => k.startsWith('http.codes.'))
      .map(([k, v]) => [k.slice('http.codes.'.length), v])
  );
  const endpoints = Object.fromEntries(
    Object.entries(s)
      .filter(([k]) => k.startsWith('plugins.metrics-by-endpoint.response_time.'))
      .map(([k, v]) => [k.slice('plugins.metrics-by-endpoint.response_time.'.length), v])
  );
  const cpu = cpuFromSamples(a.samples, clk);
  const drain = a.drain && fs.existsSync(a.drain) ? JSON.parse(fs.readFileSync(a.drain, 'utf8')) : null;
  const serverCpuLoadS = num(a['server-ticks-load']) / clk;
  const clientCpuS = num(a['client-cpu-s']);

  const summary = {
    task: a.task,
    storage: a.storage,
    quick: a.quick === '1',
    phases_s: a.phases,
    steady_rate_per_s: num(a.rate),
    seeded_photos: a.task === 'task1' ? num(a.seed) : 0,
    vusers: {
      created: num(c['vusers.created']),
      completed: num(c['vusers.completed']),
      failed: num(c['vusers.failed']),
    },
    session_ms: s['vusers.session_length'] || null,
    response_ms: s['http.response_time'] || null,
    endpoints_ms: endpoints,
    requests,
    codes,
    errors,
    rps_mean: durationS > 0 ? requests / durationS : 0,
    rps_peak_10s: peakRate,
    load_wall_s: loadS,
    cpu: {
      server_cpu_s: serverCpuLoadS,
      server_mean_pct_of_core: loadS > 0 ? (serverCpuLoadS / loadS) * 100 : 0,
      client_cpu_s: clientCpuS,
      client_mean_pct_of_core: loadS > 0 ? (clientCpuS / loadS) * 100 : 0,
      per_second: cpu,
      server_cpu_s_after_load: num(a['server-ticks-drain']) / clk,
    },
    server_peak_rss_mb: num(a['server-hwm-kb']) / 1024,
    client_peak_rss_mb: num(a['client-maxrss-kb']) / 1024,
    photos_stored: num(c['gaillery.photos_stored']),
    drain,
    server_log_warnings_and_errors: num(a['log-errors']),
    artillery_exit_code: num(a['artillery-rc']),
  };
  if (a['summary-out']) fs.writeFileSync(a['summary-out'], `${JSON.stringify(summary, null, 2)}\n`);

  const L = [];
  const title = `${a.task} (${a.storage} storage)${summary.quick ? ' — QUICK SMOKE RUN, not a measurement' : ''}`;
  L.push('', `=== ${title}`);
  L.push(`phases (s)        ${a.phases}  at ${a.rate} visitors/s steady${a.task === 'task1' ? `, gallery of ${a.seed} photos` : ''}`);
  L.push(`visitors          ${summary.vusers.created} created, ${summary.vusers.completed} completed, ${summary.vusers.failed} failed`);
  const sl = summary.session_ms || {};
  L.push(`session           p50 ${ms(sl.median ?? sl.p50)}  p95 ${ms(sl.p95)}  p99 ${ms(sl.p99)}  max ${ms(sl.max)}`);
  const rt = summary.response_ms || {};
  L.push(`request           p50 ${ms(rt.median ?? rt.p50)}  p95 ${ms(rt.p95)}  p99 ${ms(rt.p99)}  max ${ms(rt.max)}`);
  for (const [name, v] of Object.entries(endpoints)) {
    L.push(`  ${name.padEnd(15)} n ${String(v.count).padStart(7)}  p50 ${ms(v.median ?? v.p50)}  p95 ${ms(v.p95)}  max ${ms(v.max)}`);
  }
  L.push(`requests          ${requests} (${Object.entries(codes).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none answered'})`);
  L.push(`throughput        ${summary.rps_mean.toFixed(0)} req/s mean, ${summary.rps_peak_10s.toFixed(0)} req/s best 10 s`);
  if (errors.length) {
    L.push('errors');
    for (const e of errors) L.push(`  ${String(e.count).padStart(7)}  ${e.error}`);
  } else {
    L.push('errors            none');
  }
  L.push(`server            ${summary.cpu.server_cpu_s.toFixed(1)} CPU-s during the load (${pct(summary.cpu.server_mean_pct_of_core)} of a core on average), peak RSS ${summary.server_peak_rss_mb.toFixed(0)} MB${cpu ? ` (${(cpu.serverRssStartKb / 1024).toFixed(0)} MB when the load began, at most ${(cpu.serverRssMaxKb / 1024).toFixed(0)} MB during it), up to ${cpu.serverThreadsMax} threads` : ''}`);
  L.push(`load generator    ${clientCpuS.toFixed(1)} CPU-s (${pct(summary.cpu.client_mean_pct_of_core)} of a core on average), peak RSS ${summary.client_peak_rss_mb.toFixed(0)} MB`);
  if (cpu) {
    L.push(`per second (% of one core, ${cpu.seconds} samples): server mean ${pct(cpu.server.mean)} max ${pct(cpu.server.max)}; Artillery mean ${pct(cpu.client.mean)} max ${pct(cpu.client.max)}${a.storage === 'aws' ? `; s3s-fs mean ${pct(cpu.s3.mean)} max ${pct(cpu.s3.max)}; moto mean ${pct(cpu.dynamodb.mean)} max ${pct(cpu.dynamodb.max)}` : ''}`);
    L.push(`                  whole machine mean ${pct(cpu.machine.mean)} of ${require('os').cpus().length * 100} %, of which other processes ${pct(cpu.other.mean)}`);
  }
  if (a.task === 'task2') {
    L.push(`photos            ${summary.photos_stored} stored by the uploads`);
    if (drain) {
      const reasons = Object.entries(drain.reasons || {}).map(([r, n]) => `${n} x ${r}`).join('; ');
      L.push(
        drain.drained
          ? `classification    queue empty ${drain.seconds.toFixed(1)} s after the load ended: ${drain.done} done, ${drain.failed} failed of ${drain.total}${reasons ? ` (${reasons})` : ''}`
          : `classification    NOT drained after ${drain.seconds === null ? '?' : drain.seconds.toFixed(0)} s: ${drain.pending} still pending, ${drain.done} done, ${drain.failed} failed`
      );
      L.push(`                  server used ${summary.cpu.server_cpu_s_after_load.toFixed(1)} CPU-s after the load`);
      if (drain.total !== undefined && drain.total !== summary.photos_stored) {
        L.push(`  WARNING: the listing has ${drain.total} photos, the uploads stored ${summary.photos_stored}`);
      }
    }
  }
  L.push(`server log        ${summary.server_log_warnings_and_errors} WARN/ERROR lines`);
  if (a['log-errors-file'] && fs.existsSync(a['log-errors-file'])) {
    for (const line of fs.readFileSync(a['log-errors-file'], 'utf8').split('\n').filter(Boolean)) {
      L.push(`  ${line}`);
    }
  }
  L.push(`artillery         exit code ${summary.artillery_exit_code}${summary.artillery_exit_code ? ' (an ensure check failed, see its log)' : ' (ensure checks passed)'}`);
  L.push(`report            ${a.report}`);
  console.log(L.join('\n'));

  const drainOk = !drain || (drain.drained && drain.failed === 0);
  process.exitCode = summary.vusers.failed === 0 && drainOk ? 0 : 1;
}

main();
