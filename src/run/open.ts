// Opening a run directory to read it (eval, analyze) or to continue it (resume): every
// record is checked, and the records must belong together (the spec, its IR, the
// checkpoint), before any value in them is used.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { fileSha256 } from '../util/file-hash.js';
import { join } from 'node:path';
import { compile, type CompileResult } from '../core/compile.js';
import { irFromJson, irToJson } from '../ir/serialize.js';
import type { NetworkIR, TrainConfig } from '../ir/types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { describeFsError } from '../util/fs-errors.js';
import { checkpointForResume, CHECKPOINT_FILES, checkRunLayout, copyToBest, findCheckpoint, readRunBytes, readRunRecord, readState, RunDirError, BEST_DIR, RUN_FILE_BYTES, type CheckpointChoice, type RunRecord, type TrainState } from './run-dir.js';
import type { MonitorRecord } from './monitor.js';
import { normalizeConfig } from './resume.js';

/** spec.hwy or ir.json of a run directory, as text (bounded: see RUN_FILE_BYTES). */
function readRunFile(dir: string, name: 'spec.hwy' | 'ir.json'): string {
  const path = join(dir, name);
  const [max, what] = name === 'spec.hwy' ? [RUN_FILE_BYTES.spec, 'a spec'] : [RUN_FILE_BYTES.model, 'an IR file'];
  try {
    return readRunBytes(path, max, what).toString('utf8');
  } catch (e) {
    // a missing file: the run directory is incomplete; anything else (a device, too big) is said as it is
    if (e instanceof RunDirError && !existsSync(path)) throw new RunDirError(`${e.message}: the run directory is incomplete`);
    throw e;
  }
}

/**
 * The checkpoint's files are those its state.json was written with: each listed file is a
 * regular file (not a link, device or FIFO) whose SHA-256 matches, and no checkpoint file
 * that state.json does not list (a torch.pt put into a tfjs run, say) is there. Checked
 * before anything in the checkpoint is read, so a damaged or planted file is never loaded.
 */
export function verifyCheckpoint(ckpt: string, state: TrainState): void {
  const sums: Record<string, string> = state.sha256 ?? (state.weightsSha256 ? { 'weights.bin': state.weightsSha256 } : {});
  if (!Object.keys(sums).length) return; // checkpoints of hwy before 0.2 carry no checksum
  const stateFile = join(ckpt, 'state.json');
  if (state.sha256) {
    const unlisted = readdirSync(ckpt).filter((n) => CHECKPOINT_FILES.has(n) && n !== 'state.json' && !(n in sums));
    if (unlisted.length) throw new RunDirError(`${join(ckpt, unlisted[0])} is not recorded in ${stateFile}: it was put there after the checkpoint was written, and is not loaded; remove it`);
  }
  for (const [name, want] of Object.entries(sums)) {
    const path = join(ckpt, name);
    // a regular file of another size than the one written is refused before it is read (hashing a 20 GB one takes a minute);
    // a link, device or FIFO is left to fileSha256, which names it
    const size = state.bytes?.[name];
    const st = size === undefined ? undefined : lstatSync(path, { throwIfNoEntry: false });
    if (st?.isFile() && st.size !== size) throw new RunDirError(`${path} does not match the checksum in ${stateFile}: it holds ${st.size} bytes, not the ${size} it was written with (the checkpoint is damaged or was replaced)`);
    const got = fileSha256(path, (m) => new RunDirError(m));
    if (got !== want) throw new RunDirError(`${path} does not match the checksum in ${stateFile}: the checkpoint is damaged or was replaced`);
  }
}

/**
 * A state.json the schema accepts can still say what no training wrote: epoch 99 of a 2-epoch
 * run, steps of an epoch whose partial sums count other examples, a best epoch not reached yet.
 * Every such value is refused, naming the file and the value, before any of it is used (an
 * eval label, the epoch a resume continues from, the metrics it keeps).
 */
export function checkStatePlausible(state: TrainState, record: RunRecord, ckpt: string): void {
  const path = join(ckpt, 'state.json');
  const bad = (what: string) => new RunDirError(`${path}: ${what}: the file was edited, or belongs to another run`);
  // the most epochs the run was ever asked for (a resume records its --epochs)
  const epochs = Math.max(record.config.epochs, ...(record.history ?? []).map((h) => h.epochs));
  const { step, partial } = state;
  const batch = record.config.batch;
  if (state.epoch > epochs) throw bad(`epoch ${state.epoch} is beyond the ${epochs} epoch${epochs === 1 ? '' : 's'} run.json records`);
  if (step > 0 && state.epoch >= epochs) throw bad(`step ${step} of epoch ${state.epoch + 1}, but run.json records ${epochs} epoch${epochs === 1 ? '' : 's'}`);
  // a checkpoint mid-epoch is taken after whole batches (never after the last, which ends the epoch)
  if (partial.seen !== step * batch) throw bad(`step ${step} with ${partial.seen} examples seen, but ${step} step${step === 1 ? '' : 's'} of batch ${batch} see ${step * batch}`);
  if (partial.correct > partial.seen) throw bad(`${partial.correct} correct of ${partial.seen} examples seen`);
  if (step > 0 && state.status !== 'interrupted') throw bad(`step ${step} within an epoch, but status '${state.status}' (a checkpoint within an epoch is an interrupted one)`);
  const best = monitorRecord(state)?.best;
  if (best && best.epoch > state.epoch) throw bad(`the best epoch ${best.epoch} is after the checkpoint's epoch ${state.epoch}`);
}

/** The checkpoint's model holds as many weights as the run's network has parameters; returns the bytes its weights file holds (float32). */
function checkCheckpointFits(ckpt: string, ir: NetworkIR): number {
  const path = join(ckpt, 'model.json');
  let manifest: { weights?: { shape?: number[] }[] }[];
  try {
    manifest = (JSON.parse(readRunBytes(path, RUN_FILE_BYTES.model, 'a tfjs model').toString('utf8')) as { weightsManifest: typeof manifest }).weightsManifest;
  } catch (e) {
    if (e instanceof RunDirError) throw e;
    throw new RunDirError(`${path} cannot be read as a tfjs model: ${e instanceof SyntaxError ? e.message : describeFsError(e)}`);
  }
  if (!Array.isArray(manifest)) throw new RunDirError(`${path} is not a tfjs model (no weightsManifest)`);
  const count = manifest.flatMap((g) => g.weights ?? []).reduce((a, w) => a + (w.shape ?? []).reduce((x, y) => x * y, 1), 0);
  const params = ir.stats?.totalParams;
  if (params !== undefined && count !== params) throw new RunDirError(`the checkpoint in ${ckpt} holds ${count} weights, but the run's network '${ir.network.name}' has ${params} parameters: the checkpoint belongs to another network`);
  if (!Number.isSafeInteger(count) || count < 0) throw new RunDirError(`${path} is not a tfjs model (its weight shapes are not counts)`);
  return count * 4;
}

/** A checkpoint's model.json and weights.bin as they are (for export), each bounded as a reader of the run bounds them. */
export function readCheckpointModel(ckpt: string, ir: NetworkIR): { modelJson: string; weights: Buffer } {
  const bytes = checkCheckpointFits(ckpt, ir);
  return {
    modelJson: readRunBytes(join(ckpt, 'model.json'), RUN_FILE_BYTES.model, 'a tfjs model').toString('utf8'),
    weights: readRunBytes(join(ckpt, 'weights.bin'), bytes, 'the weights file of this checkpoint (its size is what model.json describes)'),
  };
}

/** The first way two IRs of a network differ in what training depends on, if any. */
function irDifference(a: NetworkIR, b: NetworkIR): string | undefined {
  if (a.network.name !== b.network.name) return `network '${a.network.name}' vs '${b.network.name}'`;
  if (a.layers.length !== b.layers.length) return `${a.layers.length} layers vs ${b.layers.length}`;
  const sig = (l: NetworkIR['layers'][number]) => JSON.stringify({ ...l, span: undefined, repeat: undefined, given: undefined });
  const i = a.layers.findIndex((l, k) => sig(l) !== sig(b.layers[k]));
  return i < 0 ? undefined : `layer ${i + 1} ('${a.layers[i].name}') differs`;
}

/**
 * ir.json of a run trained before cosine schedules and warm-up lacks their fields, which
 * mean "none": they are filled in as normalizeConfig fills run.json's, so that such runs
 * still open and resume. Anything else about the file is left to the schema.
 */
function withLrDefaults(text: string): string {
  let data: { train?: { lr?: Record<string, unknown> } | null };
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    return text; // irFromJson names the problem
  }
  const lr = data?.train?.lr;
  if (!data?.train || !lr || typeof lr !== 'object' || 'minLr' in lr || 'warmup' in lr || 'warmupSteps' in lr) return text;
  data.train = normalizeConfig(data.train as unknown as TrainConfig) as unknown as typeof data.train;
  return JSON.stringify(data);
}

/**
 * The run's IR: spec.hwy compiled with the run's --set values, which ir.json must match.
 * A missing ir.json is written back when `restore` (resume), and only read around otherwise.
 */
function runIr(dir: string, record: RunRecord, opts: { restore: boolean; log?: (s: string) => void }): { ir: NetworkIR; compiled: CompileResult } | { compiled: CompileResult; ir?: undefined } {
  const spec = readRunFile(dir, 'spec.hwy');
  // a run recorded before hwy refused a misspelt --set was built without it, as ir.json shows
  const compiled = compile(spec, record.specFile, { overrides: record.overrides, ignoreUnknownOverrides: true });
  if (!compiled.ok || !compiled.ir) return { compiled };
  const ir = compiled.ir;
  if (ir.network.name !== record.network) throw new RunDirError(`${join(dir, 'spec.hwy')} defines network '${ir.network.name}', but run.json records '${record.network}': the files are from different runs`);
  const irPath = join(dir, 'ir.json');
  if (!existsSync(irPath)) {
    if (opts.restore) {
      writeFileAtomic(irPath, irToJson(ir));
      opts.log?.(`restored ${irPath} from spec.hwy${Object.keys(record.overrides).length ? ` with ${Object.entries(record.overrides).map(([k, v]) => `--set ${k}=${v}`).join(' ')}` : ''}`);
    }
    return { ir, compiled };
  }
  const parsed = irFromJson(withLrDefaults(readRunFile(dir, 'ir.json')));
  if (!parsed.ok) throw new RunDirError(`${irPath} is not valid hwy IR: ${parsed.errors.slice(0, 3).join('; ')}`);
  const diff = irDifference(parsed.ir, ir);
  if (diff) throw new RunDirError(`${irPath} does not belong to the run's spec.hwy (${diff}): the files are from different runs; delete ir.json and resume to write it again from spec.hwy`);
  return { ir: parsed.ir, compiled };
}

/** The monitor's standing saved with a checkpoint (absent in checkpoints of hwy before it kept a best one). */
export function monitorRecord(state: TrainState): MonitorRecord | undefined {
  return (state as TrainState & { monitor?: MonitorRecord }).monitor;
}

/** A trained run as eval and analyze need it (its newest checkpoint, or its best), checked and read without writing anything. */
export function openRun(dir: string, which: CheckpointChoice = 'latest'): { record: RunRecord; ir: NetworkIR; ckpt: string; state: TrainState } {
  const record = readRunRecord(dir);
  const { ir, compiled } = runIr(dir, record, { restore: false });
  if (!ir) throw new RunDirError(`${join(dir, 'spec.hwy')} no longer compiles (${compiled.diagnostics.find((d) => d.severity === 'error')?.message ?? 'errors'}): the run cannot be read`);
  const ckpt = findCheckpoint(dir, which);
  if (!ckpt && which === 'best') {
    if (!findCheckpoint(dir)) throw new RunDirError(`'${dir}' has no checkpoint yet (no complete model/ directory): train it first`);
    throw new RunDirError(`'${dir}' has no best checkpoint (no complete ${BEST_DIR}/ directory: it is written after an epoch improves the monitored metric, by hwy 0.3 and later); use --checkpoint latest`);
  }
  if (!ckpt) throw new RunDirError(`'${dir}' has no checkpoint yet (no complete model/ directory): train it first`);
  const state = readState(ckpt);
  checkStatePlausible(state, record, ckpt);
  verifyCheckpoint(ckpt, state);
  checkCheckpointFits(ckpt, ir);
  return { record, ir, ckpt, state };
}

/** A run to continue, or the errors of its spec.hwy (which the caller reports like any spec's). */
export type ResumePlan = { ok: false; compiled: CompileResult } | { ok: true; record: RunRecord; specText: string; compiled: CompileResult; ckpt: string; state: TrainState };

/**
 * A run to continue: records checked and matched (a missing ir.json restored, an
 * interrupted checkpoint swap repaired). Metrics past the checkpoint are cut back by the
 * caller, once the checks that need the data have passed too (truncateMetrics).
 */
export function openForResume(dir: string, log?: (s: string) => void): ResumePlan {
  const record = readRunRecord(dir);
  checkRunLayout(dir);
  const specText = readRunFile(dir, 'spec.hwy');
  const { ir, compiled } = runIr(dir, record, { restore: false });
  if (!ir) return { ok: false, compiled };
  const ckpt = checkpointForResume(dir);
  const state = readState(ckpt);
  checkStatePlausible(state, record, ckpt);
  verifyCheckpoint(ckpt, state);
  checkCheckpointFits(ckpt, ir);
  runIr(dir, record, { restore: true, log });
  // a crash between committing a new best epoch's checkpoint and copying it to best/ left best/ behind: copy it now
  const best = monitorRecord(state)?.best;
  if (best && best.epoch === state.epoch && state.step === 0) {
    const bestDir = findCheckpoint(dir, 'best');
    if (!bestDir || readState(bestDir).epoch !== best.epoch) {
      copyToBest(dir);
      log?.(`restored ${join(dir, BEST_DIR)} from the checkpoint of epoch ${best.epoch}, the best by ${monitorRecord(state)!.monitor}`);
    }
  }
  return { ok: true, record, specText, compiled, ckpt, state };
}

/** The checkpoint's position must exist in this data set with this batch size. */
export function checkStateFitsData(state: TrainState, config: TrainConfig, trainCount: number, dir: string, ckpt = join(dir, 'model')): void {
  const steps = Math.ceil(trainCount / config.batch);
  if (state.step >= steps) throw new RunDirError(`${join(ckpt, 'state.json')} says step ${state.step} of epoch ${state.epoch + 1}, but an epoch has ${steps} steps (${trainCount} examples, batch ${config.batch}): the checkpoint does not belong to this run`);
}
