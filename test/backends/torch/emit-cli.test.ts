import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { hwy, specFiles } from '../../helpers.js';
import { torchWeightMap } from '../../../src/backends/torch/weights.js';
import type { NetworkIR } from '../../../src/ir/types.js';
import { emitModelPy } from '../../../src/backends/torch/emit-model.js';
import { caseIR, pythonOrReason } from './cases.js';

const { python, reason } = pythonOrReason();
const work = mkdtempSync(join(tmpdir(), 'hwy-emit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PAPER = specFiles('specs/paper');

// Imports every generated module, builds Net() and runs a forward pass (eval mode, batch 2).
const RUN = `
import importlib.util, json, sys
import torch
torch.set_num_threads(1)
out = []
for i, (path, shape) in enumerate(json.load(open(sys.argv[1]))):
    spec = importlib.util.spec_from_file_location('hwy_paper_%d' % i, path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    torch.manual_seed(0)
    net = m.Net().eval()
    with torch.no_grad():
        x = torch.rand(2, *m.Net.input_shape)
        logits = net(x)
        y = net.probs(x)
        lp = net.log_probs(x)
    out.append({
        'out_shape': list(y.shape),
        'logits_match': bool(torch.allclose(torch.softmax(logits, dim=1), y, atol=1e-6)),
        'declared': [list(m.Net.ir_input_shape), list(m.Net.ir_output_shape)],
        'nchw': list(m.Net.input_shape),
        'keys': list(net.state_dict().keys()),
        'params': sum(p.numel() for p in net.parameters()),
        'row_sums': y.reshape(2, -1).sum(1).tolist(),
        'log_probs_match': bool(torch.allclose(lp.exp(), y, atol=1e-6)),
        'finite': bool(torch.isfinite(y).all()),
    })
json.dump(out, sys.stdout)
`;

describe('hwy compile --emit pytorch', () => {
  it('writes the module to stdout, or atomically to -o FILE', () => {
    const out = join(work, 'mlp.py');
    const r = hwy(['compile', 'specs/paper/mlp-highway.hwy', '--emit', 'pytorch', '--set', 'depth=3', '-o', out]);
    expect(r.code).toBe(0);
    const printed = hwy(['compile', 'specs/paper/mlp-highway.hwy', '--emit', 'pytorch', '--set', 'depth=3']);
    expect(printed.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
    expect(printed.stdout).toMatch(/^class Net\(torch\.nn\.Module\):/m);
    expect(printed.stdout).toContain('self.highway_dense_2 = Highway(');
  });

  it('a spec with errors: its diagnostics, exit 1, no file written', () => {
    const spec = join(work, 'bad.hwy');
    writeFileSync(spec, 'network bad {\n  input 28x28x1\n  dense 10 softmax\n}\n');
    const out = join(work, 'bad.py');
    const r = hwy(['compile', spec, '--emit', 'pytorch', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.hwy:3:3: error HWY3002/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });
});

describe.skipIf(!python)(python ? 'paper specs through the built CLI and torch' : `paper specs through the built CLI and torch: SKIPPED, ${reason}`, () => {
  it(`every spec of specs/paper (${PAPER.length}) gives a module that builds and computes an output of the IR's shape`, () => {
    const jobs: [string, number[]][] = [];
    const irs: NetworkIR[] = [];
    for (const f of PAPER) {
      const py = join(work, basename(f, '.hwy').replace(/-/g, '_') + '.py');
      const irFile = py.replace(/\.py$/, '.json');
      for (const [emit, out] of [['pytorch', py], ['ir', irFile]]) {
        const r = hwy(['compile', f, '--emit', emit, '-o', out]);
        expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      }
      const ir = JSON.parse(readFileSync(irFile, 'utf8')) as NetworkIR;
      irs.push(ir);
      jobs.push([py, ir.layers[0].outShape!]);
    }
    writeFileSync(join(work, 'jobs.json'), JSON.stringify(jobs));
    const r = spawnSync(python!.path, ['-c', RUN, join(work, 'jobs.json')], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as { out_shape: number[]; declared: number[][]; keys: string[]; params: number; row_sums: number[]; log_probs_match: boolean; logits_match: boolean; nchw: number[]; finite: boolean }[];
    expect(results).toHaveLength(PAPER.length);
    results.forEach((res, i) => {
      const ir = irs[i];
      const outShape = ir.layers[ir.layers.length - 1].outShape!;
      const what = PAPER[i];
      expect(res.out_shape, what).toEqual([2, ...outShape]);
      expect(res.declared, what).toEqual([ir.layers[0].outShape, outShape]);
      expect([...res.keys].sort(), what).toEqual([...new Set(torchWeightMap(ir).map((e) => e.torch))].sort());
      expect(res.params, what).toBe(ir.stats!.totalParams);
      expect(res.finite, what).toBe(true);
      // every paper network ends in softmax: rows are distributions, and log_probs is their log
      for (const s of res.row_sums) expect(s, what).toBeCloseTo(1, 5);
      expect(res.log_probs_match, what).toBe(true);
      // forward() speaks PyTorch: NCHW images in, logits out (softmax of them: the probabilities)
      const inShape = ir.layers[0].outShape;
      expect(res.nchw, what).toEqual(inShape.length === 3 ? [inShape[2], inShape[0], inShape[1]] : inShape);
      expect(res.logits_match, what).toBe(true);
    });
  });

  it('a spec file name with backslashes and quotes still gives valid Python', () => {
    const ir = { ...caseIR({ input: '4', body: 'dense 3 softmax' }), file: 'C:\\xspecs\\N{odd} ""' + '"name".hwy' };
    const r = spawnSync(python!.path, ['-c', 'import sys; src = sys.stdin.read(); compile(src, "model.py", "exec"); print(src.splitlines()[0])'], { input: emitModelPy(ir), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('xspecs');
  });
});
