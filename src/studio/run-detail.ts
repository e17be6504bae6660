// One run's page, as the server answers it: the spec as recorded (spec.hwy) cut into
// highlighted spans, the summary table and the diagram from the recorded IR (ir.json), the
// curves, the confusion matrices `hwy eval --save` recorded, and the figures `hwy analyze`
// wrote into the run's analysis/ directory, as vega specs the page renders. Every section is read on
// its own: a damaged or missing file is that section's `error` (or its hint), and the other
// sections are still answered. Reads are bounded and follow no link (./runs.ts), and only
// the names below are read, inside a directory the scan found: nothing the client sends is
// a path.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { irFromJson } from '../ir/serialize.js';
import type { NetworkIR } from '../ir/types.js';
import { summaryJson, type SummaryJson } from '../backends/text/summary.js';
import { renderNetworkSvg } from '../diagram/svg.js';
import { EVAL_DIR, evalRecordName, EVAL_CHECKPOINTS, EVAL_SPLITS, type SavedEval } from '../run/eval-record.js';
import { RUN_FILE_BYTES, type RunRecord } from '../run/run-dir.js';
import { readOwn, readRecord, readRunMetrics, RunReadError } from './runs.js';
import { highlight, MAX_HIGHLIGHT_CHARS, type Span } from './highlight.js';
import { confusionSpec, curvesSpec, toVega } from './charts.js';
import type { FoundDir } from './scan.js';

/** spec.hwy: as hwy reads a run's spec. */
const MAX_SPEC = RUN_FILE_BYTES.spec;
/** ir.json: a network of some thousands of layers is a few MiB; past this the page would not draw it anyway. */
const MAX_IR = 64 * 2 ** 20;
/** A figure's vega-lite spec with its data inline: a 1000-layer network's gate maps are tens of MiB. */
const MAX_FIGURE = 64 * 2 ** 20;
const MAX_EVAL = 4 * 2 ** 20;
/** Classes a confusion matrix may have (CIFAR-100 has 100). */
const MAX_CLASSES = 1000;

type Vega = Record<string, unknown>;
type Section<T> = T | { error: string };

/** The figures `hwy analyze` writes (src/analysis/analyze.ts), in the order the page shows them. */
export const ANALYSIS_FIGURES: { name: string; title: string }[] = [
  { name: 'figure2-gates', title: 'Gate heat maps' },
  { name: 'figure3-routing', title: 'Routing' },
  { name: 'figure4-lesioning', title: 'Lesioning' },
  { name: 'condition-numbers', title: 'Condition numbers' },
];

export interface RunDetail {
  id: string;
  dir: string;
  /** run.json as recorded (the settings the diff compares). */
  record: Section<RunRecord>;
  spec: Section<{ spans: Span[]; highlighted: boolean; chars: number }>;
  summary: Section<SummaryJson>;
  /** The network drawn as `hwy compile --emit svg` draws it (src/diagram), from the recorded IR. */
  diagram: Section<{ svg: string }>;
  curves: Section<{ vega: Vega | null; total: number; downsampled: boolean; stride: number }>;
  evals: Section<{ items: { name: string; which: string; split: string; checkpoint: string; count: number; loss: number; accuracy: number; vega: Vega }[]; hint: string }>;
  analysis: Section<{ figures: { name: string; title: string; vega?: Vega; error?: string }[]; hint: string }>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function section<T>(f: () => T | Promise<T>): Promise<Section<T>> {
  try {
    return await f();
  } catch (e) {
    return { error: message(e) };
  }
}

/** A sub-directory of the run that hwy wrote: absent (undefined), or a real directory, never a link. */
function ownDir(path: string): string | undefined {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (st.isSymbolicLink()) throw new RunReadError(`${path} is a symbolic link: not followed`);
  if (!st.isDirectory()) throw new RunReadError(`${path} is not a directory`);
  return path;
}

function parseJson(path: string, buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new RunReadError(`${path} is not valid JSON (${(e as Error).message}): damaged, or being written`);
  }
}

function readIr(real: string): NetworkIR {
  const path = join(real, 'ir.json');
  const r = irFromJson(readOwn(path, MAX_IR, 'an IR file').toString('utf8'));
  if (!r.ok) throw new RunReadError(`${path} is not valid hwy IR: ${r.errors.slice(0, 3).join('; ')}`);
  return r.ir;
}

function checkConfusion(path: string, c: unknown): number[][] {
  const n = Array.isArray(c) ? c.length : 0;
  const ok = n > 0 && n <= MAX_CLASSES && (c as unknown[]).every((row) => Array.isArray(row) && row.length === n && row.every((v) => Number.isInteger(v) && v >= 0));
  if (!ok) throw new RunReadError(`${path}: 'confusion' is not a square matrix of counts (at most ${MAX_CLASSES} classes)`);
  return c as number[][];
}

async function readEvals(found: FoundDir, createdAt: string | undefined): Promise<NonNullable<Exclude<RunDetail['evals'], { error: string }>>> {
  let hint = `hwy eval ${found.dir} --save records the validation split's confusion matrix here (--split test for the test split)`;
  const dir = ownDir(join(found.real, EVAL_DIR));
  if (!dir) return { items: [], hint };
  const items = [];
  for (const which of EVAL_CHECKPOINTS) {
    for (const split of EVAL_SPLITS) {
      const path = join(dir, evalRecordName(which, split));
      if (!lstatSync(path, { throwIfNoEntry: false })) continue;
      const e = parseJson(path, readOwn(path, MAX_EVAL, 'an evaluation record')) as Partial<SavedEval>;
      // saved before this run began: it evaluated a run this directory held before (--force)
      if (createdAt && typeof e?.savedAt === 'string' && e.savedAt < createdAt) {
        hint = `${path} was saved before this run began (it is of a run this directory held before): not shown. ${hint}`;
        continue;
      }
      const confusion = checkConfusion(path, e?.confusion);
      const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
      const checkpoint = typeof e.checkpoint === 'string' ? e.checkpoint : '';
      const title = `${split} split, ${which} checkpoint${checkpoint ? ` (${checkpoint})` : ''}`;
      items.push({ name: `${which}-${split}`, which, split, checkpoint, count: num(e.count), loss: num(e.loss), accuracy: num(e.accuracy), vega: await toVega(confusionSpec(confusion, title)) });
    }
  }
  return { items, hint };
}

/**
 * The vega spec of a figure file, compiled again only when the file changed (size, mtime,
 * inode): a page opened twice, or many times by a poll, compiles once. The last few are
 * kept (a 1000-layer network's gate maps are tens of MiB).
 */
const compiled = new Map<string, { key: string; vega: Vega }>();
const COMPILED_KEPT = 24;
async function figureVega(path: string): Promise<Vega> {
  const st = lstatSync(path);
  const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
  const hit = compiled.get(path);
  if (hit?.key === key) {
    compiled.delete(path);
    compiled.set(path, hit); // most recently used last
    return hit.vega;
  }
  const spec = parseJson(path, readOwn(path, MAX_FIGURE, 'a figure'));
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new RunReadError(`${path} is not a vega-lite spec (not a JSON object)`);
  let vega: Vega;
  try {
    vega = await toVega(spec as Vega);
  } catch (e) {
    throw new RunReadError(`${path}: vega-lite cannot draw it: ${message(e)}`);
  }
  compiled.set(path, { key, vega });
  while (compiled.size > COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
  return vega;
}

async function readAnalysis(found: FoundDir): Promise<NonNullable<Exclude<RunDetail['analysis'], { error: string }>>> {
  const hint = `hwy analyze ${found.dir} writes the gate heat maps, routing, lesioning and condition numbers into ${join(found.dir, 'analysis')}`;
  const dir = ownDir(join(found.real, 'analysis'));
  if (!dir) return { figures: [], hint };
  const figures = [];
  for (const f of ANALYSIS_FIGURES) {
    const path = join(dir, `${f.name}.vl.json`);
    if (!lstatSync(path, { throwIfNoEntry: false })) continue;
    // one damaged figure is that figure's error; the others are still drawn
    try {
      figures.push({ ...f, vega: await figureVega(path) });
    } catch (e) {
      figures.push({ ...f, error: message(e) });
    }
  }
  return { figures, hint };
}

export async function readRunDetail(found: FoundDir): Promise<RunDetail> {
  const record = await section(() => readRecord(found.real));
  const createdAt = 'error' in record ? undefined : record.createdAt;
  // ir.json is read once for the summary and the diagram (a failed read is each one's error)
  let read: { ir: NetworkIR } | { error: unknown } | undefined;
  const ir = (): NetworkIR => {
    if (!read) {
      try {
        read = { ir: readIr(found.real) };
      } catch (e) {
        read = { error: e };
      }
    }
    if ('error' in read) throw read.error;
    return read.ir;
  };
  return {
    id: found.id,
    dir: found.dir,
    record,
    spec: await section(() => {
      const text = readOwn(join(found.real, 'spec.hwy'), MAX_SPEC, 'a spec').toString('utf8');
      return { spans: highlight(text), highlighted: text.length <= MAX_HIGHLIGHT_CHARS, chars: text.length };
    }),
    summary: await section(() => summaryJson(ir())),
    diagram: await section(() => ({ svg: renderNetworkSvg(ir()) })),
    curves: await section(async () => {
      const m = readRunMetrics(found);
      return { vega: m.lines.length ? await toVega(curvesSpec(m.lines)) : null, total: m.total, downsampled: m.downsampled, stride: m.stride };
    }),
    evals: await section(() => readEvals(found, createdAt)),
    analysis: await section(() => readAnalysis(found)),
  };
}
