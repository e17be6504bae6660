// Engines: the PyTorch module hwy generates against the same network written by hand in
// idiomatic PyTorch (one process, same batch, same optimizer), at one thread and at all
// threads; then whole training epochs of `hwy train --engine torch` against the tfjs
// engine (wasm), read from each run's metrics.jsonl. Ratios come from this one run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const HWY = join(ROOT, 'bin/hwy.js');

function findPython() {
  for (const py of [process.env.HWY_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!py) continue;
    const r = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { py, version: r.stdout.trim() };
  }
  return null;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

const NETS = [
  { key: 'mlp50', name: '50-layer highway MLP (batch 128)', file: 'specs/paper/mlp-highway.hwy', sets: ['--set', 'depth=50'], batch: 128, steps: 40 },
  { key: 'conv16', name: 'MNIST conv highway net, width 16 (batch 100)', file: 'specs/paper/mnist-conv-highway.hwy', sets: [], batch: 100, steps: 6 },
];

export async function enginesBench(log = console.log) {
  const python = findPython();
  if (!python) {
    log('skipped: no Python with torch here (set HWY_PYTHON, or install python3-torch)');
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'hwy-bench-engines-'));
  const threads = [...new Set([1, cpus().length])];
  log(`PyTorch ${python.version} (${python.py}); ${cpus().length} cores\n`);
  log('| network | threads | hwy-generated samples/s | hand-written samples/s | hwy / hand |');
  log('|---|---|---|---|---|');
  for (const net of NETS) {
    const model = join(tmp, `${net.key}.py`);
    run(HWY, ['compile', join(ROOT, net.file), ...net.sets, '--emit', 'pytorch', '-o', model]);
    for (const t of threads) {
      const out = run(python.py, [join(ROOT, 'bench/torch_bench.py'), model, net.key, String(t), String(net.steps), String(net.batch)]);
      const r = JSON.parse(out.trim().split('\n').pop());
      log(`| ${net.name} | ${t} | ${r.hwy.toFixed(0)} | ${r.hand.toFixed(0)} | **${(r.hwy / r.hand).toFixed(2)}x** |`);
    }
  }
  log('\nWhole epochs on the bundled digits (8,100 training examples), samples/s from metrics.jsonl:\n');
  log('| network | torch engine | tfjs engine (wasm) | torch / tfjs |');
  log('|---|---|---|---|');
  for (const net of NETS) {
    const sps = {};
    for (const [engine, flags] of [['torch', ['--engine', 'torch', '--device', 'cpu']], ['tfjs', ['--engine', 'tfjs', '--device', 'wasm']]]) {
      const out = join(tmp, `${net.key}-${engine}`);
      run(HWY, ['train', join(ROOT, net.file), ...net.sets, ...flags, '--epochs', '1', '--out', out, '--no-progress']);
      const m = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      sps[engine] = m[m.length - 1].samplesPerSec;
    }
    log(`| ${net.name} | ${sps.torch.toFixed(0)} | ${sps.tfjs.toFixed(0)} | **${(sps.torch / sps.tfjs).toFixed(2)}x** |`);
  }
}
