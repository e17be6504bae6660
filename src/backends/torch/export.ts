// hwy export: a network (and a run's weights) as a PyTorch job that needs neither Node nor hwy,
// or as an ONNX file.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { checkOutputFile, otherKind, ownDir, writeOwnFile } from '../../util/own-files.js';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { NetworkIR, TrainConfig } from '../../ir/types.js';
import type { Splits } from '../../data/dataset.js';
import { EngineUnavailable, RunFileError } from '../engine.js';
import { emitModelPy } from './emit-model.js';
import { torchWeightMap } from './weights.js';
import { npyBytes, SPLITS } from './arrays.js';
import { findPython } from './python.js';
import { pythonDir, TorchEngineError } from './engine.js';
import { VERSION } from '../../version.js';
import { optimizerText } from '../../language/optimizers.js';

export interface ExportSource {
  ir: NetworkIR;
  config: TrainConfig;
  /** tfjs model.json (topology + manifest) and weights.bin: a run's newest checkpoint, or the initial weights of a spec. */
  modelJson: string;
  weights: Uint8Array;
  /** The run directory, when the weights are a run's. */
  runDir?: string;
  /** Where the data came from, for the README. */
  dataSource: string;
}

/** The files `hwy export --to pytorch` writes, so that --force replaces them and nothing else. */
const JOB_FILES = ['model.py', 'train.py', 'hwy_weights.py', 'config.json', 'model.json', 'weights.bin', 'weights.pt', 'README.md', ...SPLITS.flatMap((s) => [`data/${s}_x.npy`, `data/${s}_y.npy`])];

const exportError = (m: string) => new RunFileError(m);

/**
 * The job directory: not empty-named, not a link, a directory; a non-empty one only with
 * --force, and then only hwy's own files in it are replaced (each a regular file: a link,
 * device or directory in their place, or a linked data/, is refused, never written through).
 */
function prepareOut(out: string, force: boolean, ours: string[]): void {
  if (out.trim() === '') throw new RunFileError('--out is empty: give the job directory (hwy export writes nothing into the current directory unless it is named)');
  let st;
  try {
    st = lstatSync(out);
  } catch {
    mkdirSync(out, { recursive: true });
    return;
  }
  if (st.isSymbolicLink()) throw new RunFileError(`'${out}' is a symbolic link: hwy writes only inside the directory it is given, never through a link; give the directory itself${existsSync(out) ? ` ('${realpathSync(out)}')` : ''}`);
  if (!st.isDirectory()) throw new RunFileError(`'${out}' exists and is not a directory`);
  const present = readdirSync(out);
  if (present.length > 0 && !force) throw new RunFileError(`'${out}' already exists and is not empty: use --force to replace the files hwy export writes there, or another --out`);
  // --force replaces our own files (stale ones go: weights.pt of an earlier export, the data after --no-data); anything else stays
  for (const f of ours) {
    if (f.includes('/')) ownDir(out, dirname(f), exportError);
    const path = join(out, f);
    let fst;
    try {
      fst = lstatSync(path);
    } catch {
      continue;
    }
    const kind = otherKind(fst);
    if (kind) throw new RunFileError(`'${path}' is ${kind}: hwy export replaces only the regular files it wrote; remove it first`);
    rmSync(path);
  }
}

function python(): string {
  return findPython().path;
}

/**
 * The command that runs the exported job's train.py here: the Python with torch that hwy
 * found (which is not PATH's python3 where that one lacks torch), else `python3`. Quoted
 * for a shell where it needs to be.
 */
export function trainInterpreter(): string {
  let py = 'python3';
  try {
    py = findPython().path;
  } catch (e) {
    if (!(e instanceof EngineUnavailable)) throw e;
  }
  return /^[\w./+-]+$/.test(py) ? py : `'${py.replace(/'/g, `'\\''`)}'`;
}

function runPython(py: string, code: string, cwd: string): void {
  const r = spawnSync(py, ['-c', code], { cwd, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new TorchEngineError(`${py} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-8).join('\n')}`);
}

/**
 * Writes a job directory: model.py, train.py (hwy_train.py), hwy_weights.py, config.json (the
 * resolved config with the weight map and the file names), model.json + weights.bin (the start:
 * a run's weights or the seed's initial ones), weights.pt (a run's weights as a PyTorch state
 * dict, when a Python with torch is here to write it), the data as .npy, and a README.md.
 */
export function exportPytorch(src: ExportSource, data: Splits | undefined, out: string, opts: { force?: boolean; log?: (s: string) => void } = {}): string[] {
  const log = opts.log ?? (() => {});
  prepareOut(out, !!opts.force, JOB_FILES);
  const pyDir = pythonDir();
  const write = (rel: string, data: string | Uint8Array) => writeOwnFile(out, rel, data, exportError);
  write('model.py', emitModelPy(src.ir));
  write('train.py', readFileSync(join(pyDir, 'hwy_train.py')));
  write('hwy_weights.py', readFileSync(join(pyDir, 'hwy_weights.py')));
  write('model.json', src.modelJson);
  write('weights.bin', src.weights);
  // the file names are in config.json with or without the data: with --no-data the README says what to put there
  const files: Record<string, { x: string; y: string }> = Object.fromEntries(SPLITS.map((s) => [s, { x: `data/${s}_x.npy`, y: `data/${s}_y.npy` }]));
  if (data) {
    for (const s of SPLITS) {
      const d = data[s];
      write(files[s].x, npyBytes(d.x, [d.count, ...d.shape]));
      write(files[s].y, npyBytes(d.labels, [d.count]));
    }
  }
  const job = {
    hwy: VERSION,
    network: src.ir.network.name,
    model: 'model.py',
    model_json: 'model.json',
    init_weights: 'weights.bin',
    weight_map: torchWeightMap(src.ir),
    config: src.config,
    data: { train: files.train, validation: files.validation },
    device: 'auto',
    threads: null,
    out: 'run',
  };
  write('config.json', JSON.stringify(job, null, 2) + '\n');
  const written = ['model.py', 'train.py', 'hwy_weights.py', 'config.json', 'model.json', 'weights.bin', 'README.md', ...(data ? Object.values(files).flatMap((f) => [f.x, f.y]) : [])];
  let statedict = false;
  if (src.runDir) {
    try {
      const py = python();
      runPython(py, `import json, sys, torch\nsys.path.insert(0, '.')\nimport hwy_weights\nsd = hwy_weights.tfjs_to_state_dict(open('weights.bin', 'rb').read(), json.load(open('config.json'))['weight_map'])\ntorch.save(sd, 'weights.pt')`, out);
      statedict = true;
      written.push('weights.pt');
    } catch (e) {
      if (!(e instanceof EngineUnavailable)) throw e;
      log(`weights.pt not written (${e.message}); README.md says how to make it where torch is installed`);
    }
  }
  write('README.md', readme(src, !!data, statedict, trainInterpreter()));
  return written;
}

function readme(src: ExportSource, withData: boolean, statedict: boolean, py: string): string {
  const c = src.config;
  // where hwy found torch in another Python than PATH's python3, the commands name that one
  const which = py === 'python3' ? '' : `\n\`${py}\` is the Python with torch that hwy found where it exported this job (\`python3\` on its PATH had none); elsewhere, use a Python that has torch.\n`;
  const from = src.runDir ? `the weights of the run \`${src.runDir}\`` : `the initial weights hwy draws for seed ${c.seed}`;
  return `# ${src.ir.network.name}: a PyTorch job exported by hwy ${VERSION}

Trains network \`${src.ir.network.name}\` (from \`${src.ir.file}\`) with plain PyTorch: no Node, no hwy.
It needs Python 3 with torch (1.13 or 2.x) and numpy.
${which}
| file | what |
|---|---|
| \`model.py\` | the network as a \`torch.nn.Module\` (\`Net\`), generated from the checked IR |
| \`train.py\` | the trainer: hwy's \`train { }\` semantics (batch order, augmentation, the optimizer, schedule and warm-up, L2 decay on kernels) |
| \`config.json\` | the resolved training config: ${c.epochs} epochs, batch ${c.batch}, lr ${c.lr.value} (${c.lr.schedule}${c.lr.warmup || c.lr.warmupSteps ? `, warm-up ${c.lr.warmup ? `${c.lr.warmup} epochs` : `${c.lr.warmupSteps} steps`}` : ''}), optimizer ${optimizerText(c.optimizer)}, weight decay ${c.weightDecay}, seed ${c.seed}; plus the file names and the weight map |
| \`model.json\`, \`weights.bin\` | the starting point, in the tfjs LayersModel format: ${from} |
${statedict ? `| \`weights.pt\` | the same weights as a PyTorch state dict: \`net = model.Net(); net.load_state_dict(torch.load('weights.pt', weights_only=True))\` |\n` : ''}| \`data/*.npy\` | ${withData ? `the data (${src.dataSource}), preprocessed: float32 images [N, H, W, C] and uint8 labels, train / validation / test` : 'not exported: write train_x.npy, train_y.npy, validation_x.npy and validation_y.npy here (float32 [N, H, W, C] and uint8)'} |
${!statedict && src.runDir ? `\nTo get the run's weights as a PyTorch state dict (needs torch):\n\n\`\`\`sh\n${py} -c "import json, torch, hwy_weights; torch.save(hwy_weights.tfjs_to_state_dict(open('weights.bin', 'rb').read(), json.load(open('config.json'))['weight_map']), 'weights.pt')"\n\`\`\`\n` : ''}
## Train

\`\`\`sh
${py} train.py                          # one process; CUDA when torch sees it (--device cpu|cuda to choose)
${py} train.py --out run2 --epochs 50   # another output directory, more epochs
${py} train.py --resume                 # continue from run/model after Ctrl-C (which checkpoints first)
\`\`\`

\`run/metrics.jsonl\` gets one JSON line an epoch; \`run/model/\` holds the newest checkpoint
(\`torch.pt\` with model, optimizer and random states; \`model.json\` + \`weights.bin\`, the
tfjs LayersModel format, which tfjs loads with hwy's layers registered), replaced atomically
after every epoch. A second \`${py} train.py\` into the same directory is refused: \`--resume\`
continues it, \`--out\` starts another. (\`run/\` is not a hwy run directory: to evaluate in
hwy, train with \`hwy train --engine torch\`.)

## Several GPUs or machines

\`train.py\` reads \`RANK\`, \`LOCAL_RANK\` and \`WORLD_SIZE\` from the environment, so
\`torchrun\` starts it unchanged. Every worker takes \`batch / WORLD_SIZE\` examples of every
batch of ${c.batch}; the gradients are averaged (DistributedDataParallel: NCCL on GPUs, gloo on
CPUs); worker 0 writes metrics and checkpoints. The data and this directory must be readable
at the same path on every machine.

\`\`\`sh
# one machine, 8 GPUs
torchrun --nproc_per_node 8 train.py
# two machines, 8 GPUs each: run on both, HOST being the first machine's address
torchrun --nnodes 2 --nproc_per_node 8 --rdzv_backend c10d --rdzv_endpoint HOST:29500 train.py
\`\`\`

With SLURM (\`sbatch job.sh\`):

\`\`\`sh
#!/bin/bash
#SBATCH --job-name=${src.ir.network.name}
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node=8
#SBATCH --cpus-per-task=16
head=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
srun torchrun --nnodes "$SLURM_NNODES" --nproc_per_node 8 \\
  --rdzv_id "$SLURM_JOB_ID" --rdzv_backend c10d --rdzv_endpoint "$head:29500" train.py
\`\`\`
`;
}

/** Writes an ONNX file of the network with the given (tfjs-format) weights, through torch.onnx.export. */
export function exportOnnx(src: ExportSource, file: string, opts: { force?: boolean } = {}): void {
  // a device (/dev/null), a link or a directory is never replaced, with or without --force
  if (checkOutputFile(file, '--out', exportError) && !opts.force) throw new RunFileError(`'${file}' already exists: use --force to replace it, or another --out`);
  const py = python();
  const work = mkdtempSync(join(tmpdir(), 'hwy-onnx-'));
  try {
    writeFileSync(join(work, 'model.py'), emitModelPy(src.ir));
    writeFileSync(join(work, 'weights.bin'), src.weights);
    writeFileSync(join(work, 'map.json'), JSON.stringify(torchWeightMap(src.ir)));
    copyFileSync(join(pythonDir(), 'hwy_weights.py'), join(work, 'hwy_weights.py'));
    const code = `import json, sys, torch
sys.path.insert(0, '.')
import hwy_weights, model
net = model.Net()
hwy_weights.load_into(net, open('weights.bin', 'rb').read(), json.load(open('map.json')))
net.eval()

class TfjsLayout(torch.nn.Module):
    # the ONNX file keeps the tfjs model's interface: input and output in the IR's layout (NHWC
    # maps), and its output (probabilities when it ends in softmax)
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        x = model.Net.from_ir_layout(x)
        y = self.net.probs(x) if model.Net.output_kind == 'probabilities' else self.net(x)
        return y.permute(0, 2, 3, 1) if y.dim() == 4 else y

x = torch.zeros((1,) + tuple(model.Net.ir_input_shape))
torch.onnx.export(TfjsLayout(net), x, 'model.onnx', input_names=['x'], output_names=['y'], dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}}, opset_version=13)`;
    runPython(py, code, work);
    writeOwnFile(dirname(file) || '.', basename(file), readFileSync(join(work, 'model.onnx')), exportError);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
