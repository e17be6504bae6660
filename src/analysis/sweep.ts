import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTraining, type SettingOverride } from '../run/session.js';
import { readMetrics, readRunRecord, readState, recoverCheckpoint, RunDirError, type MetricsLine } from '../run/run-dir.js';
import { rng, type Splits } from '../data/dataset.js';
import { loadData } from '../data/index.js';
import type { BackendChoice } from '../backends/tfjs/runtime.js';
import type { EngineName } from '../backends/engine.js';
import { packageRoot } from '../util/package-root.js';
import { writeFileAtomic } from '../util/atomic.js';
import { lockDir } from '../run/lock.js';
import { figure1, writeFigure } from './figures.js';

export interface SweepOptions {
  depths: number[];
  kinds: ('plain' | 'highway')[];
  epochs: number;
  /** 1: the specs' own settings; more: a random search as in the paper. */
  trials: number;
  out: string;
  seed?: number;
  /** The engine every run trains with (default tfjs) and its device (default auto). */
  engine?: EngineName;
  device?: string;
  /** The tfjs device by its old name. */
  backend?: BackendChoice;
  data?: string;
  dataDir?: string;
  /** Training settings every run takes (`--set train.optimizer=adam`); a sweep continues only with the ones it started with. */
  settings?: SettingOverride[];
  preloaded?: Splits;
  log?: (s: string) => void;
  shouldStop?: () => boolean;
}

/** A run of the sweep directory was started with the same --set training settings as this sweep, or the sweep stops, naming both. */
function sameSettings(dir: string, settings: SettingOverride[]): void {
  const want = settings.map((o) => `${o.path}=${o.value}`);
  const had = readRunRecord(dir).settings ?? [];
  if (JSON.stringify(had) === JSON.stringify(want)) return;
  const show = (xs: string[]) => (xs.length ? xs.map((x) => `--set ${x}`).join(' ') : 'no --set');
  throw new RunDirError(`${dir} was trained with ${show(had)}, and this sweep asks for ${show(want)}: a sweep continues with the training settings it started with; give the same, or another --out`);
}

export interface Trial {
  lr: number;
  momentum: number;
  gamma: number;
  activation: 'relu' | 'tanh';
  gateBias?: number;
}

export interface SweepRow {
  network: string;
  kind: 'plain' | 'highway';
  depth: number;
  trial: number;
  runDir: string;
  settings: Trial | null;
  finalLoss: number;
  finalAccuracy: number;
  valAccuracy: number;
  epochs: number;
}

/** The paper's random search: learning rate, momentum, decay factor, activation and (highway) the initial gate bias in [-10, -1]. */
export function sampleTrial(seed: number, kind: 'plain' | 'highway'): Trial {
  const r = rng(seed);
  const t: Trial = { lr: 10 ** (-3 + 2 * r()), momentum: 0.5 + 0.49 * r(), gamma: 0.8 + 0.2 * r(), activation: r() < 0.5 ? 'relu' : 'tanh' };
  if (kind === 'highway') t.gateBias = -1 - Math.floor(r() * 10);
  return t;
}

/** A trial's spec: the paper spec with its activation and gate bias replaced. */
export function trialSpec(text: string, t: Trial): string {
  let s = text.replace(/\brelu\b/g, t.activation);
  if (t.gateBias !== undefined) s = s.replace(/^(network \w+ \{.*)$/m, `$1\n  defaults gate_bias=${t.gateBias}`);
  return s;
}

/**
 * Figure 1: plain and highway networks of growing depth, the same budget each. Every
 * run has its own directory; a sweep started again skips finished runs and resumes
 * unfinished ones.
 */
export async function sweep(o: SweepOptions): Promise<SweepResult> {
  mkdirSync(o.out, { recursive: true });
  // one sweep a directory: two would train the same runs and write the same table
  const lock = await lockDir(o.out, { what: 'sweep directory', log: o.log });
  try {
    return await sweepLocked(o);
  } finally {
    await lock.release();
  }
}

type SweepResult = { rows: SweepRow[]; best: SweepRow[]; ratio?: { depth: number; plainOverHighway: number } };

async function sweepLocked(o: SweepOptions): Promise<SweepResult> {
  const log = o.log ?? (() => {});
  const root = packageRoot();
  const seed = o.seed ?? 1;
  const data = o.preloaded ?? (await loadData({ name: (o.data ?? 'mnist') as 'mnist', normalize: 'scale', augment: [], validation: 0.1 }, o.dataDir));
  const plan: { kind: 'plain' | 'highway'; depth: number; trial: number }[] = [];
  for (const depth of o.depths) for (const kind of o.kinds) for (let trial = 1; trial <= o.trials; trial++) plan.push({ kind, depth, trial });
  const specFile = (kind: 'plain' | 'highway') => join(root, 'specs', 'paper', `mlp-${kind}.hwy`);
  const specText = { plain: readFileSync(specFile('plain'), 'utf8'), highway: readFileSync(specFile('highway'), 'utf8') };
  const rows: SweepRow[] = [];
  for (const [k, p] of plan.entries()) {
    if (o.shouldStop?.()) break;
    const name = `${p.kind}-${p.depth}${o.trials > 1 ? `-t${p.trial}` : ''}`;
    const dir = join(o.out, name);
    const settings = o.trials > 1 ? sampleTrial(seed * 1000 + p.depth * 10 + p.trial + (p.kind === 'highway' ? 500 : 0), p.kind) : null;
    const text = settings ? trialSpec(specText[p.kind], settings) : specText[p.kind];
    const started = existsSync(join(dir, 'run.json'));
    // finished runs are kept and unfinished ones resumed: all of them must train with this sweep's settings
    if (started) sameSettings(dir, o.settings ?? []);
    const ckpt = started ? recoverCheckpoint(dir) : undefined;
    const done = ckpt ? readState(ckpt) : undefined;
    const restart = !ckpt && existsSync(join(dir, 'run.json')) ? ' (no checkpoint yet: starting it again)' : '';
    log(`run ${k + 1}/${plan.length}: ${p.kind} depth ${p.depth}${o.trials > 1 ? ` trial ${p.trial}` : ''}${done ? (done.epoch >= o.epochs ? ' (done before)' : ` (resuming after epoch ${done.epoch})`) : restart}`);
    if (!done || done.epoch < o.epochs) {
      // A run that never reached its first checkpoint starts over (force replaces only
      // hwy's own files); a resumed run continues on the backend it was trained on.
      const r = await runTraining({
        ...(ckpt
          ? { resume: dir, overrides: { epochs: o.epochs } }
          : { specFile: `${specFile(p.kind)}${settings ? ` (trial ${p.trial})` : ''}`, specText: text, sets: { depth: p.depth }, settings: o.settings, out: dir, force: true, engine: o.engine, device: o.device, backend: o.backend, overrides: { epochs: o.epochs, seed, ...(settings ? { lr: settings.lr, momentum: settings.momentum, gamma: settings.gamma } : {}) } }),
        data,
        hooks: {
          shouldStop: o.shouldStop,
          onEpochEnd: (m) => log(`  epoch ${m.epoch}: loss ${m.loss.toFixed(4)}, accuracy ${(m.accuracy * 100).toFixed(1)}%, ${Math.round(m.samplesPerSec)} samples/s`),
        },
      });
      if (r.kind === 'trained' && r.outcome.status === 'interrupted') break;
      if (r.kind === 'trained' && r.outcome.status === 'diverged') log(`  diverged: ${r.outcome.message}`);
    }
    const m = readMetrics(dir);
    const last: MetricsLine | undefined = m[m.length - 1];
    rows.push({ network: `${p.kind}-${p.depth}`, kind: p.kind, depth: p.depth, trial: p.trial, runDir: dir, settings, finalLoss: last?.loss ?? NaN, finalAccuracy: last?.accuracy ?? NaN, valAccuracy: last?.valAccuracy ?? NaN, epochs: m.length });
  }
  // the best run of each network, by final training loss (the paper's criterion)
  const best: SweepRow[] = [];
  for (const depth of o.depths)
    for (const kind of o.kinds) {
      const c = rows.filter((r) => r.kind === kind && r.depth === depth && Number.isFinite(r.finalLoss));
      if (c.length) best.push(c.reduce((a, b) => (b.finalLoss < a.finalLoss ? b : a)));
    }
  const deepest = Math.max(...o.depths);
  const bp = best.find((r) => r.kind === 'plain' && r.depth === deepest);
  const bh = best.find((r) => r.kind === 'highway' && r.depth === deepest);
  const ratio = bp && bh ? { depth: deepest, plainOverHighway: bp.finalLoss / bh.finalLoss } : undefined;
  writeFileAtomic(join(o.out, 'sweep.json'), JSON.stringify({ epochs: o.epochs, trials: o.trials, rows, best, ratio }, null, 2) + '\n');
  writeFileAtomic(join(o.out, 'sweep.md'), markdown(best, ratio, o));
  const curves = best.flatMap((b) => readMetrics(b.runDir).map((m) => ({ network: b.network, kind: b.kind, depth: b.depth, epoch: m.epoch, loss: m.loss })));
  if (curves.length) await writeFigure(join(o.out, 'figure1-depth'), figure1(curves), curves);
  return { rows, best, ratio };
}

function markdown(best: SweepRow[], ratio: { depth: number; plainOverHighway: number } | undefined, o: SweepOptions): string {
  const lines = [
    `# Optimisation vs depth (${o.epochs} epochs a run, ${o.trials} trial${o.trials > 1 ? 's' : ''} a network)`,
    '',
    '| network | depth | final training loss | training accuracy | validation accuracy | settings |',
    '|---|---|---|---|---|---|',
    ...best.map((r) => `| ${r.kind} | ${r.depth} | ${r.finalLoss.toExponential(3)} | ${(r.finalAccuracy * 100).toFixed(2)}% | ${(r.valAccuracy * 100).toFixed(2)}% | ${r.settings ? `lr ${r.settings.lr.toPrecision(2)}, momentum ${r.settings.momentum.toFixed(2)}, decay ${r.settings.gamma.toFixed(2)}, ${r.settings.activation}${r.settings.gateBias !== undefined ? `, gate bias ${r.settings.gateBias}` : ''}` : 'as in the spec'} |`),
    '',
  ];
  if (ratio) lines.push(`Final training loss, plain-${ratio.depth} / highway-${ratio.depth}: **${ratio.plainOverHighway.toFixed(1)}x** (the paper: more than 100x).`, '');
  return lines.join('\n');
}
