// Every file hwy reads from a run directory is a regular file, read no further than its
// format allows: a run directory is data from anywhere, and a link to /dev/zero or a FIFO in
// it must be a one-line refusal, not a reader that hangs or grows without end.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 8 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  optimizer sgd momentum=0.9\n  lr 0.05\n  batch 500\n  epochs 1\n}\n';

let base: string;
let run: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'hwy-run-files-'));
  writeFileSync(join(base, 'tiny.hwy'), SPEC);
  run = join(base, 'run');
  const r = hwy(['train', join(base, 'tiny.hwy'), '--out', run, '--backend', 'wasm', '--no-progress']);
  if (r.code !== 0) throw new Error(r.stderr);
}, 120_000);

/** A copy of the trained run, to damage. */
function copy(name: string): string {
  const d = join(base, name);
  rmSync(d, { recursive: true, force: true });
  cpSync(run, d, { recursive: true });
  return d;
}

// without the bounds, each of these reads /dev/zero until memory runs out (gigabytes): the timeout catches that
const quick = { timeoutMs: 60_000 };
/**
 * state.json's checksums made to match the damaged files (as whoever damaged them could):
 * the checks below the checksum (the sizes model.json and optimizer.json promise) must hold alone.
 */
function reseal(d: string): void {
  const path = join(d, 'model', 'state.json');
  const state = JSON.parse(readFileSync(path, 'utf8'));
  for (const f of Object.keys(state.sha256 ?? {})) state.sha256[f] = createHash('sha256').update(readFileSync(join(d, 'model', f))).digest('hex');
  for (const f of Object.keys(state.bytes ?? {})) state.bytes[f] = statSync(join(d, 'model', f)).size;
  state.weightsSha256 = state.sha256?.['weights.bin'] ?? state.weightsSha256;
  writeFileSync(path, JSON.stringify(state, null, 2));
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('run files that are not regular files', () => {
  it('weights.bin linked to /dev/zero: eval, --resume and analyze refuse it at once, naming it', () => {
    const d = copy('zero-weights');
    const w = join(d, 'model', 'weights.bin');
    rmSync(w);
    symlinkSync('/dev/zero', w);
    for (const args of [['eval', d, '--backend', 'wasm'], ['train', '--resume', d, '--epochs', '2'], ['analyze', d, '--backend', 'wasm']]) {
      const r = hwy(args, quick);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      // the checksum check opens it first, without following links
      expect(r.stderr).toMatch(new RegExp(`${w}'? is a symbolic link: (hwy reads only the files it wrote, never through a link|a checkpoint holds only the files hwy wrote)`));
      noStack(r.stderr);
    }
  });

  it('a FIFO as weights.bin is refused, not waited on', () => {
    const d = copy('fifo-weights');
    const w = join(d, 'model', 'weights.bin');
    rmSync(w);
    execFileSync('mkfifo', [w]);
    const r = hwy(['eval', d, '--backend', 'wasm'], quick);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`'${w}' is a named pipe (FIFO)`);
  });

  it('weights.bin longer than model.json says is refused before it is read', () => {
    const d = copy('long-weights');
    const w = join(d, 'model', 'weights.bin');
    const bytes = readFileSync(w);
    writeFileSync(w, Buffer.concat([bytes, Buffer.alloc(4096)]));
    reseal(d);
    const r = hwy(['eval', d, '--backend', 'wasm'], quick);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`'${w}' is [\\d,]+ bytes; the weights file of .*model\\.json \\(its size is what the weights manifest describes\\) may be at most ${bytes.length.toLocaleString('en-US')} bytes`));
  });

  it('a weights.bin of 20 GB (sparse) is refused by the size state.json records, before a byte of it is hashed: eval, --resume, analyze', () => {
    const d = copy('huge-weights');
    const w = join(d, 'model', 'weights.bin');
    const written = statSync(w).size;
    expect(JSON.parse(readFileSync(join(d, 'model', 'state.json'), 'utf8')).bytes['weights.bin']).toBe(written);
    truncateSync(w, 20 * 2 ** 30); // a hole: no disk used, and hashing it would read 20 GB of zeros
    for (const args of [['eval', d, '--backend', 'wasm'], ['train', '--resume', d, '--epochs', '2', '--backend', 'wasm'], ['analyze', d]]) {
      const r = hwy(args, quick);
      expect(r.code, args.join(' ')).toBe(2);
      // the size's message, not the checksum's after reading the file
      expect(r.stderr).toContain(`${w} does not match the checksum in ${join(d, 'model', 'state.json')}: it holds ${20 * 2 ** 30} bytes, not the ${written} it was written with`);
      noStack(r.stderr);
    }
  });

  it('run.json, state.json and metrics.jsonl linked to /dev/zero are refused, naming each', () => {
    for (const [name, args] of [
      ['run.json', ['eval', '%', '--backend', 'wasm']],
      ['model/state.json', ['eval', '%', '--backend', 'wasm']],
      ['metrics.jsonl', ['train', '--resume', '%', '--epochs', '2']],
      ['spec.hwy', ['eval', '%', '--backend', 'wasm']],
    ] as const) {
      const d = copy(`zero-${name.replace('/', '-')}`);
      rmSync(join(d, name));
      symlinkSync('/dev/zero', join(d, name));
      const r = hwy(args.map((a) => (a === '%' ? d : a)), quick);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      // a resume checks the run directory's layout first: a link there is refused before anything is read
      expect(r.stderr).toContain(name === 'metrics.jsonl' ? `${join(d, name)} is a symbolic link: hwy writes only inside the run directory` : `'${join(d, name)}' is a character device`);
      noStack(r.stderr);
    }
  });
});

describe('damaged checkpoint files', () => {
  it('a truncated optimizer.bin on resume is a one-line error naming it, not an internal error', () => {
    const d = copy('short-optimizer');
    const o = join(d, 'model', 'optimizer.bin');
    const size = readFileSync(o).length;
    truncateSync(o, size - 100);
    reseal(d);
    const r = hwy(['train', '--resume', d, '--epochs', '2'], quick);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n').pop()).toBe(`hwy: ${o} holds ${size - 100} bytes; ${join(d, 'model', 'optimizer.json')} needs ${size} (truncated or from another run): the checkpoint is damaged`);
  });
});
