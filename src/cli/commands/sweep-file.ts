// hwy sweep FILE.hwy: runs the sweep a spec declares (src/experiment/), with the flags of the
// paper sweep as overrides of its plan where they mean the same thing, and a message saying
// what to write instead where they do not.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { availableParallelism } from 'node:os';
import { EXIT_SPEC, EXIT_USAGE, UsageError } from '../errors.js';
import { writeJson, type OutputFormat } from '../output.js';
import { colorOn } from '../io.js';
import { renderDiagnostic } from '../../diagnostics/render.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import type { EngineName } from '../../backends/engine.js';
import type { ExperimentPlan, SamplerName } from '../../ir/experiment.js';
import type { Search } from '../../experiment/search.js';
import { readRegularFile } from '../../util/read-regular.js';
import { compileExperiment } from '../../core/experiment.js';
import { sweepProgress } from './sweep-progress.js';

export const SAMPLERS: SamplerName[] = ['random', 'grid', 'tpe'];

/** The options of `hwy sweep FILE.hwy`, and which of the paper sweep's flags were given (undefined: not given). */
export interface SweepFileOptions {
  out?: string;
  engine?: EngineName;
  device?: string;
  jobs?: number;
  threads?: number;
  dataDir?: string;
  storage?: string;
  sampler?: SamplerName;
  format: OutputFormat;
  progress: boolean;
  trials?: number;
  epochs?: number;
  seed?: number;
  targetLoss?: number;
  patience?: number;
  minImprovement?: number;
}

/** The paper sweep's flags that a sweep file's plan cannot take, and what to write in the file instead. */
export const RETIRED_WITH_FILE: Record<string, string> = {
  depths: "--depths: with a sweep file the depths are the sweep's grid: write `grid depth [10, 20, 50, 100]` in its sweep section",
  low: '--low: the paper\'s claims are checked by `hwy sweep` without a file; a sweep file states its own objective',
  set: "--set: with a sweep file, write the setting in a network's spec, or sweep it in the sweep section",
  data: "--data: with a sweep file each network trains on the data its `train { }` section names",
};

export interface CompiledSweep {
  ok: boolean;
  diagnostics: Diagnostic[];
  plan: ExperimentPlan | null;
}

/** The checked plan of a sweep file: the compiler's, every grid point's network compiled. */
function compileSweepFile(text: string, file: string, readFile: (absPath: string) => string | null): CompiledSweep {
  return compileExperiment(text, file, { readFile });
}

/** Reads a spec a sweep names (absolute path); null when it cannot be read as a spec. */
export function readSpecFile(path: string): string | null {
  try {
    return readRegularFile(path, { maxBytes: 8 * 2 ** 20, what: 'a spec', error: (m) => new UsageError(m) }).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * A diagnostic with its files named as hwy check names them: as given on the command line, a
 * network's spec relative to the working directory (the plan keeps absolute paths: its runs
 * must find the specs wherever they are started from, and a continued sweep compares them).
 */
function shownAs(d: Diagnostic, file: string, abs: string): Diagnostic {
  const show = (p: string) => (p === abs ? file : isAbsolute(p) && !isAbsolute(file) ? relative(process.cwd(), p) : p);
  // a message naming a file (a network's spec that cannot be read) names it the same way
  const dir = isAbsolute(file) ? undefined : relative(process.cwd(), dirname(abs));
  const inText = (s: string | undefined) => {
    if (s === undefined) return s;
    const t = s.split(abs).join(file);
    return dir === undefined ? t : t.split(`${dirname(abs)}${sep}`).join(dir ? `${dir}${sep}` : '');
  };
  return {
    ...d,
    message: inText(d.message)!,
    hint: inText(d.hint),
    span: { ...d.span, file: show(d.span.file) },
    related: d.related?.map((x) => ({ ...x, message: inText(x.message)!, span: { ...x.span, file: show(x.span.file) } })),
  };
}

/** The plan of FILE, or exits 1 after printing its diagnostics (every file's, with code frames). */
export function loadPlan(file: string): ExperimentPlan {
  const abs = resolve(file);
  const text = readRegularFile(file, { maxBytes: 8 * 2 ** 20, what: 'a spec', error: (m) => new UsageError(m) }).toString('utf8');
  const texts = new Map<string, string>([[abs, text]]);
  const r = compileSweepFile(text, abs, (p) => {
    const t = readSpecFile(p);
    if (t !== null) texts.set(p, t);
    return t;
  });
  const color = colorOn(process.stderr);
  for (const d of r.diagnostics) process.stderr.write(renderDiagnostic(shownAs(d, file, abs), texts.get(d.span.file) ?? '', { color }) + '\n\n');
  if (!r.ok || !r.plan) throw new UsageError(`${file}: the sweep has errors; nothing was trained`, EXIT_SPEC);
  return r.plan;
}

/** The plan with the command line's overrides: the paper sweep's flags where a plan has the same thing, and --sampler. */
export function planWithOverrides(plan: ExperimentPlan, o: SweepFileOptions): ExperimentPlan {
  const p: ExperimentPlan = structuredClone(plan);
  if (o.trials !== undefined) p.trials = o.trials;
  if (o.seed !== undefined) {
    // the paper sweep's --seed seeded both its draws and its runs: so it does here with one seed a trial
    if (p.seeds.length > 1) throw new UsageError(`--seed ${o.seed}: this sweep trains each trial with ${p.seeds.length} seeds (${p.seeds.join(', ')}); write the seeds, and the search's seed, in its sweep section`);
    p.seed = o.seed;
    p.seeds = [o.seed];
  }
  if (o.sampler !== undefined) p.sampler = o.sampler;
  if (o.epochs !== undefined) p.stop.maxEpochs = o.epochs;
  if (o.targetLoss !== undefined) p.stop.targetLoss = o.targetLoss;
  if (o.patience !== undefined) p.stop.patience = o.patience;
  if (o.minImprovement !== undefined) p.stop.minImprovement = o.minImprovement;
  return p;
}

/**
 * The torch engine's Python, found before a sweep writes anything: one that cannot run the
 * engine (HWY_PYTHON naming a program that never answers, say) is refused once, with nothing
 * written, instead of failing every trial in turn. Found once, it is not probed again.
 */
export async function refuseUnusablePython(): Promise<void> {
  const { findPython } = await import('../../backends/torch/python.js');
  const { EngineUnavailable } = await import('../../backends/engine.js');
  try {
    findPython();
  } catch (e) {
    if (e instanceof EngineUnavailable) throw new UsageError(e.message, EXIT_USAGE);
    throw e;
  }
}

/** Runs a plan as `hwy sweep FILE.hwy` does: progress on standard error, the summary or JSON on standard output. */
export async function runSweepCommand(plan: ExperimentPlan, o: SweepFileOptions, deps: { search?: Search } = {}): Promise<void> {
  const engine = o.engine ?? 'tfjs';
  if (engine === 'tfjs' && o.jobs !== undefined && o.jobs > 1) throw new UsageError(`--jobs ${o.jobs}: the tfjs engine trains in this process, one trial at a time; use --engine torch to train several at once`);
  if (engine === 'tfjs' && o.threads !== undefined) throw new UsageError('--threads is a setting of the torch engine; add --engine torch');
  const threads = o.threads ?? envThreads();
  const jobs = o.jobs ?? (engine === 'torch' ? Math.max(1, Math.floor(availableParallelism() / threads)) : 1);
  const out = o.out ?? join('runs', plan.name);
  const { runSweep, ExperimentError } = await import('../../experiment/runner.js');
  const { SearchChoiceError, needsOptuna } = await import('../../experiment/search-factory.js');
  const { plannedRuns } = await import('../../experiment/points.js');
  const { DataError } = await import('../../data/index.js');
  const { RunDirError } = await import('../../run/run-dir.js');
  const { EngineUnavailable } = await import('../../backends/engine.js');
  const { sweepDirProblem } = await import('../../run/sweep-dir.js');
  if (engine === 'torch') await refuseUnusablePython();
  // before Optuna's study is made in it, too
  const notASweep = sweepDirProblem(out, 'file');
  if (notASweep) throw new UsageError(notASweep);
  // refused before anything is written: what needs Optuna and this build cannot give
  if (!deps.search) {
    const why = needsOptuna(plan, { storage: o.storage });
    if (why) {
      const { searchFor } = await import('../../experiment/search-factory.js');
      try {
        deps = { search: await searchFor(plan, { storage: o.storage, dir: out }) };
      } catch (e) {
        if (e instanceof SearchChoiceError) throw new UsageError(e.message, EXIT_USAGE);
        throw e;
      }
    }
  }
  const tty = o.progress && process.stderr.isTTY === true && o.format !== 'json';
  const bestText = (best: Record<string, number>) =>
    Object.entries(best)
      .map(([k, v]) => `${k} ${Number(v.toPrecision(3))}`)
      .join(', ');
  const progress = sweepProgress(tty, bestText);
  const log = progress.log;
  // Ctrl-C and SIGTERM stop the running trials at their next checkpoint; a second one quits at once
  let stop: 130 | 143 | undefined;
  const stopper = (code: 130 | 143) => () => {
    if (stop) process.exit(code);
    stop = code;
    process.stderr.write(`\nstopping after a checkpoint (${code === 130 ? 'Ctrl-C' : 'the same signal'} again to quit at once)…\n`);
  };
  const onSigint = stopper(130);
  const onSigterm = stopper(143);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const size = plannedRuns(plan);
  process.stderr.write(
    `sweep ${plan.name}: at most ${size.trials} trials (${plan.trials} a grid point${plan.networks.length > 1 ? ' and network' : ''}) x ${plan.seeds.length} seed${plan.seeds.length > 1 ? 's' : ''}, ${plan.sampler} search${plan.pruner !== 'none' ? `, ${plan.pruner} pruner` : ''}, ${engine} engine, ${jobs} at once; a run stops at the cap of ${plan.stop.maxEpochs} epoch${plan.stop.maxEpochs === 1 ? '' : 's'} or when it has converged; into ${out}\n`,
  );
  try {
    const r = await runSweep({
      plan,
      out,
      engine: o.engine,
      device: o.device,
      threads: engine === 'torch' ? o.threads : undefined,
      jobs,
      dataDir: o.dataDir,
      search: deps.search,
      readFile: readSpecFile,
      log,
      onProgress: progress.onProgress,
      shouldStop: () => stop !== undefined,
    });
    progress.stop();
    if (o.format === 'json') {
      const saved = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
      writeJson({ out, ...saved, files: r.files.map((f) => join(out, f)).filter((f) => existsSync(f)) });
    }
    if (!r.complete) {
      process.stderr.write(`stopped after ${r.records.length} of ${r.total} trials; run the same command again to continue\n`);
      process.exitCode = stop ?? 130;
      return;
    }
    if (o.format === 'json') return;
    process.stdout.write(`\n${readFileSync(join(out, 'sweep.md'), 'utf8')}\nwritten: ${r.files.map((f) => join(out, f)).filter((f) => /\.(md|json|csv|png)$/.test(f) && !f.endsWith('.vl.json')).join(', ')}\n`);
  } catch (e) {
    progress.stop();
    if (e instanceof ExperimentError || e instanceof SearchChoiceError || e instanceof DataError || e instanceof RunDirError || e instanceof EngineUnavailable) throw new UsageError(e.message, EXIT_USAGE);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** HWY_THREADS as the torch engine reads it (it refuses a bad value itself, with the message). */
function envThreads(): number {
  const n = Number(process.env.HWY_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}
