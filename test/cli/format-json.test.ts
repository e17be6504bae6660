import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';
import { CODES } from '../../src/diagnostics/codes.js';
import { trainInterpreter } from '../../src/backends/torch/export.js';

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 100\n  epochs 1\n}\n';

function project() {
  const d = mkdtempSync(join(tmpdir(), 'hwy-json-'));
  writeFileSync(join(d, 'tiny.hwy'), SPEC);
  return d;
}

/** Standard output must be exactly one JSON value (nothing else mixed in). */
function parsed(r: { code: number | null; stdout: string; stderr: string }): any {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('--format json on every command that prints data', () => {
  it('every such command takes --format and refuses a format it does not know, in one line', () => {
    const d = project();
    const calls = [
      ['check', join(d, 'tiny.hwy')],
      ['summary', join(d, 'tiny.hwy')],
      ['explain'],
      ['train', join(d, 'tiny.hwy'), '--out', join(d, 'never')],
      ['eval', join(d, 'nothing')],
      ['analyze', join(d, 'nothing')],
      ['sweep', '--out', join(d, 'sweep')],
      ['export', join(d, 'tiny.hwy'), '--to', 'pytorch', '--out', join(d, 'job')],
    ];
    for (const args of calls) {
      const help = hwy([args[0], '--help']);
      expect(help.stdout, args[0]).toMatch(/--format <format>\s+text, or json/);
      const r = hwy([...args, '--format', 'yaml']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim(), args.join(' ')).toBe("hwy: --format must be text or json, not 'yaml'");
      expect(r.stdout).toBe('');
    }
    // nothing was started by a refused call
    for (const p of ['never', 'sweep', 'job']) expect(existsSync(join(d, p)), p).toBe(false);
  });

  it('explain: every code with its texts, or one code; text stays the default', () => {
    const all = parsed(hwy(['explain', '--format', 'json']));
    expect(all.map((c: { code: string }) => c.code)).toEqual(CODES.map((c) => c.code));
    for (const [i, c] of CODES.entries()) expect(all[i]).toEqual({ code: c.code, severity: c.severity, title: c.title, explanation: c.explanation, example: c.example ?? null, fix: c.fix });
    const one = parsed(hwy(['explain', '3002', '--format', 'json']));
    expect(one).toEqual(all.find((c: { code: string }) => c.code === 'HWY3002'));
    expect(hwy(['explain', 'HWY3002']).stdout).toMatch(/^HWY3002 \(error\): /);
    const bad = hwy(['explain', 'HWY9999', '--format', 'json']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
  });

  it('train prints the run, outcome, metrics and engine at the end (progress on stderr); analyze and export what they wrote', () => {
    const d = project();
    const out = join(d, 'run');
    const r = hwy(['train', join(d, 'tiny.hwy'), '--out', out, '--device', 'wasm', '--format', 'json']);
    const t = parsed(r);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(t).toEqual({ runDir: out, outcome: 'done', epoch: 1, step: 0, metrics: metrics[0], best: { monitor: 'val_loss', epoch: 1, value: metrics[0].valLoss, dir: join(out, 'best') }, engine: { engine: 'tfjs', device: 'wasm', reason: 'as asked' } });
    expect(r.stderr).toMatch(/epoch 1: loss [\d.]+ acc/);
    expect(r.stdout).not.toContain('evaluate with');

    // a spec with errors: the errors, as check --format json gives them, and exit 1
    writeFileSync(join(d, 'bad.hwy'), 'network n {\n  input 28x28x1\n  dense 10\n}\n');
    const bad = hwy(['train', join(d, 'bad.hwy'), '--out', join(d, 'b'), '--format', 'json']);
    expect(bad.code).toBe(1);
    const b = JSON.parse(bad.stdout);
    expect(b.outcome).toBe('spec-errors');
    expect(b.diagnostics.map((x: { code: string }) => x.code)).toEqual(['HWY3002']);

    const an = parsed(hwy(['analyze', out, '--samples', '100', '--device', 'wasm', '--format', 'json']));
    expect(an.out).toBe(join(out, 'analysis'));
    expect(an.figures.map((f: { name: string }) => f.name)).toEqual(['figure2-gates', 'figure3-routing', 'figure4-lesioning', 'condition-numbers']);
    for (const f of an.figures) for (const file of f.files) expect(existsSync(file), file).toBe(true);
    expect(an.notes).toEqual([]);
    // the same numbers as the figure's data, an infinite one as null; singular: infinite or past the float32 limit
    const cond = JSON.parse(readFileSync(join(out, 'analysis', 'condition-numbers.json'), 'utf8'));
    expect(an.conditionNumbers.map((c: { layer: string }) => c.layer)).toEqual(['dense_1', 'highway_dense_1']);
    an.conditionNumbers.forEach((c: { condition: number | null; singular: boolean; layer: string; limit: number }, i: number) => {
      expect(c.layer).toBe(cond[i].layer);
      expect(c.condition).toBe(cond[i].condition);
      expect(c.singular).toBe(cond[i].singular);
      expect(c.singular).toBe(c.condition === null || c.condition > c.limit);
    });

    const job = join(d, 'job dir');
    const ex = parsed(hwy(['export', join(d, 'tiny.hwy'), '--to', 'pytorch', '--out', job, '--no-data', '--format', 'json']));
    expect(ex.to).toBe('pytorch');
    expect(ex.out).toBe(job);
    expect(ex.data).toBe(false);
    expect(ex.files.map((f: string) => f.slice(job.length + 1)).sort()).toEqual(['README.md', 'config.json', 'hwy_weights.py', 'model.json', 'model.py', 'train.py', 'weights.bin']);
    for (const f of ex.files) expect(existsSync(f), f).toBe(true);
    // the Python with torch hwy finds here (PATH's python3 may have none), else plain python3
    expect(ex.train).toBe(`cd '${job}' && ${trainInterpreter()} train.py`);
  });

  it('sweep prints the summary table, every run and the files', () => {
    const out = join(project(), 'sweep');
    const s = parsed(hwy(['sweep', '--out', out, '--depths', '2', '--epochs', '1', '--device', 'wasm', '--format', 'json']));
    const saved = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(s.complete).toBe(true);
    expect(s.best.map((b: { network: string }) => b.network)).toEqual(['plain-2', 'highway-2']);
    expect(s.best).toEqual(saved.best);
    expect(s.runs).toEqual(saved.rows);
    expect(s.ratio).toEqual(saved.ratio);
    expect(s.files).toContain(join(out, 'sweep.md'));
    expect(s.files).toContain(join(out, 'figure1-depth.png'));
    for (const f of s.files) expect(existsSync(f), f).toBe(true);
  });
});
