import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';

// A flag whose value is one of a few names says which one a near miss meant, as a mistyped
// diagnostic code or constant does; a value far from all of them gets the list alone.
describe('a mistyped choice of a flag gets "did you mean"', () => {
  const d = mkdtempSync(join(tmpdir(), 'hwy-choices-'));
  const spec = join(d, 'none.hwy');
  const run = join(d, 'no-run');
  it.each([
    [['train', spec, '--engine', 'tourch'], "--engine must be one of tfjs, torch, not 'tourch'; did you mean 'torch'?"],
    [['sweep', spec, '--engine', 'tfsj'], "--engine must be one of tfjs, torch, not 'tfsj'; did you mean 'tfjs'?"],
    [['train', spec, '--device', 'wsam'], "--device wsam is not a device of the tfjs engine, which has auto, gpu, node, wasm, cpu; did you mean 'wasm'?"],
    [['train', spec, '--engine', 'torch', '--device', 'cdua'], "--device cdua is not a device of the torch engine, which has auto, cpu, cuda; did you mean 'cuda'?"],
    [['train', spec, '--backend', 'wsam'], "--backend must be one of auto, gpu, node, wasm, cpu, not 'wsam'; did you mean 'wasm'?"],
    [['check', spec, '--format', 'jsno'], "--format must be text or json, not 'jsno'; did you mean 'json'?"],
    [['eval', run, '--checkpoint', 'bets'], "--checkpoint must be latest or best, not 'bets'; did you mean 'best'?"],
    [['eval', run, '--split', 'tset'], "--split must be train, validation or test, not 'tset'; did you mean 'test'?"],
    [['sweep', spec, '--sampler', 'rnadom'], "--sampler must be one of random, grid, tpe, not 'rnadom'; did you mean 'random'?"],
    [['compile', spec, '--emit', 'svgg'], "not 'svgg'; did you mean 'svg'?"],
    [['export', run, '--to', 'onxx'], "--to must be pytorch or onnx, not 'onxx'; did you mean 'onnx'?"],
    [['train', spec, '--monitor', 'val_los'], "not 'val_los'; did you mean 'val_loss'?"],
    [['train', spec, '--data', 'mnsit'], "not 'mnsit'; did you mean 'mnist'?"],
  ])('%j', (args, message) => {
    const r = hwy(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^hwy: [^\n]+$/);
    expect(r.stderr).toContain(message);
  });
  it('a value near none of them gets the list alone', () => {
    const r = hwy(['train', spec, '--engine', 'jax']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("hwy: --engine must be one of tfjs, torch, not 'jax'");
  });
});
