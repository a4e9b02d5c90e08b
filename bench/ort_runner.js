#!/usr/bin/env node
// The ONNX Runtime side of bench/compare_ort: runs one model on NPY inputs and prints JSON with
// the same fields as `infera bench --json` (load_seconds, first_run_seconds, latencies_seconds,
// median_seconds, peak_rss_bytes, ...). Benchmark-time only; Infera never depends on it.
//
//   node bench/ort_runner.js MODEL --input NAME=FILE.npy ... [--threads 2] [--iterations 10]
//                            [--warmup 3] [--save-output DIR]
//
// onnxruntime-node is found through NODE_PATH (bench/compare_ort sets it to its npm cache).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const { readNpy, writeNpy } = require('./npy');

function readTensor(file) {
  const { type, dims, data } = readNpy(file);
  return new ort.Tensor(type, type === 'bool' ? Uint8Array.from(data) : data, dims);
}

function parseArgs(argv) {
  const args = { inputs: {}, threads: 2, iterations: 10, warmup: 3, saveOutput: '' };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--input') {
      const [name, ...rest] = argv[++i].split('=');
      args.inputs[name] = rest.join('=');
    } else if (a === '--threads') args.threads = Number(argv[++i]);
    else if (a === '--iterations') args.iterations = Number(argv[++i]);
    else if (a === '--warmup') args.warmup = Number(argv[++i]);
    else if (a === '--save-output') args.saveOutput = argv[++i];
    else if (!args.model) args.model = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!args.model) throw new Error('usage: ort_runner.js MODEL --input NAME=FILE.npy ...');
  return args;
}

const seconds = start => Number(process.hrtime.bigint() - start) / 1e9;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
};

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const feeds = {};
  for (const [name, file] of Object.entries(args.inputs)) feeds[name] = readTensor(file);
  const rssBeforeLoad = process.memoryUsage().rss;

  let start = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(args.model, {
    intraOpNumThreads: args.threads, interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const loadSeconds = seconds(start);

  start = process.hrtime.bigint();
  let outputs = await session.run(feeds);
  const firstRunSeconds = seconds(start);
  for (let i = 0; i < args.warmup; ++i) outputs = await session.run(feeds);
  const latencies = [];
  for (let i = 0; i < args.iterations; ++i) {
    start = process.hrtime.bigint();
    outputs = await session.run(feeds);
    latencies.push(seconds(start));
  }
  if (args.saveOutput) {
    fs.mkdirSync(args.saveOutput, { recursive: true });
    for (const name of session.outputNames)
      writeNpy(path.join(args.saveOutput, name.replace(/[/\\:]/g, '_') + '.npy'),
               outputs[name].type, outputs[name].dims, outputs[name].data);
  }
  const median = quantile(latencies, 0.5);
  const batch = Object.values(feeds)[0]?.dims[0] ?? 1;
  process.stdout.write(JSON.stringify({
    runtime: `onnxruntime-node ${ort.env.versions.node}`,
    model: args.model, threads: args.threads,
    load_seconds: loadSeconds, first_run_seconds: firstRunSeconds,
    iterations: latencies.length, latencies_seconds: latencies,
    min_seconds: quantile(latencies, 0), median_seconds: median, p90_seconds: quantile(latencies, 0.9),
    items_per_second: batch / median,
    peak_rss_bytes: process.resourceUsage().maxRSS * 1024,  // Node reports kilobytes
    current_rss_bytes: process.memoryUsage().rss,
    rss_before_load_bytes: rssBeforeLoad,
  }, null, 2) + '\n');
}

main().catch(e => { console.error(`ort_runner: ${e.message}`); process.exit(1); });
