import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers.js';
import { pythonOrReason } from './cases.js';

const { python, reason } = pythonOrReason();

// Runs against the copy the build ships (dist/python/), which the CLI tests' global setup builds.
const SCRIPT = `
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, torch
import hwy_weights as hw

wmap = [
    {'tfjs': 'd/kernel', 'shape': [3, 2], 'torch': 'd.weight', 'perm': [1, 0]},
    {'tfjs': 'd/bias', 'shape': [2], 'torch': 'd.bias', 'perm': None},
    {'tfjs': 'c/kernel', 'shape': [2, 3, 4, 5], 'torch': 'c.h.weight', 'perm': [2, 3, 1, 0]},
]
sd = {'d.weight': torch.arange(6.0).reshape(2, 3), 'd.bias': torch.tensor([7.0, 8.0]), 'c.h.weight': torch.randn(5, 4, 2, 3)}
out = {}
b = hw.state_dict_to_tfjs(sd, wmap)
flat = np.frombuffer(b, '<f4')
out['bytes'] = len(b)
# tfjs layout: the dense kernel [in, out] is the transpose, row-major
out['dense'] = flat[:8].tolist()
conv = flat[8:].reshape(2, 3, 4, 5)
out['conv_ok'] = bool(np.array_equal(conv, sd['c.h.weight'].permute(2, 3, 1, 0).numpy()))
back = hw.tfjs_to_state_dict(b, wmap)
out['roundtrip'] = all(torch.equal(back[k], v) and back[k].is_contiguous() for k, v in sd.items())
errors = []
for f in (lambda: hw.tfjs_to_state_dict(b[:-4], wmap),
          lambda: hw.state_dict_to_tfjs({k: v for k, v in sd.items() if k != 'd.bias'}, wmap),
          lambda: hw.state_dict_to_tfjs(dict(sd, **{'d.bias': torch.zeros(3)}), wmap)):
    try:
        f()
        errors.append(None)
    except (KeyError, ValueError) as e:
        errors.append(str(e))
out['errors'] = errors
# rows: H and T as the halves of one torch layer [4, 3]; tfjs has two [3, 2] kernels
gmap = [
    {'tfjs': 'g/kernel_h', 'shape': [3, 2], 'torch': 'g.gates.weight', 'perm': [1, 0], 'rows': [0, 2]},
    {'tfjs': 'g/kernel_t', 'shape': [3, 2], 'torch': 'g.gates.weight', 'perm': [1, 0], 'rows': [2, 4]},
]
gsd = {'g.gates.weight': torch.arange(12.0).reshape(4, 3)}
gb = hw.state_dict_to_tfjs(gsd, gmap)
out['rows'] = np.frombuffer(gb, '<f4').tolist()
out['rows_back'] = bool(torch.equal(hw.tfjs_to_state_dict(gb, gmap)['g.gates.weight'], gsd['g.gates.weight']))
try:
    hw.tfjs_to_state_dict(gb, [gmap[0], dict(gmap[1], rows=[3, 5])])
    out['gap'] = None
except ValueError as e:
    out['gap'] = str(e)
json.dump(out, sys.stdout)
`;

describe.skipIf(!python)(python ? 'hwy_weights.py (as shipped in dist/python)' : `hwy_weights.py: SKIPPED, ${reason}`, () => {
  it('is the source file, copied verbatim by the build', () => {
    expect(readFileSync(join(ROOT, 'dist/python/hwy_weights.py'), 'utf8')).toBe(readFileSync(join(ROOT, 'src/backends/torch/python/hwy_weights.py'), 'utf8'));
  });

  it('writes tfjs layout in map order, reads it back exactly, and names what does not fit', () => {
    const r = spawnSync(python!.path, ['-c', SCRIPT, join(ROOT, 'dist/python')], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.bytes).toBe(4 * (6 + 2 + 120));
    // torch [[0, 1, 2], [3, 4, 5]] is tfjs [[0, 3], [1, 4], [2, 5]]; then the bias
    expect(out.dense).toEqual([0, 3, 1, 4, 2, 5, 7, 8]);
    expect(out.conv_ok).toBe(true);
    expect(out.roundtrip).toBe(true);
    expect(out.errors[0]).toMatch(/weights\.bin holds 508 bytes; the weight map needs 512/);
    // rows of one torch tensor: H is rows 0-1 ([[0,1,2],[3,4,5]] -> tfjs [[0,3],[1,4],[2,5]]), T rows 2-3
    expect(out.rows).toEqual([0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
    expect(out.rows_back).toBe(true);
    expect(out.gap).toMatch(/g\.gates\.weight: the weight map leaves a gap or an overlap at rows \[3, 5\]/);
    expect(out.errors[1]).toMatch(/the state dict has no 'd\.bias' \(tfjs weight d\/bias\)/);
    expect(out.errors[2]).toMatch(/d\/bias: torch d\.bias gives shape \[3\], tfjs expects \[2\]/);
  });
});
