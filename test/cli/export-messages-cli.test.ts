// What hwy export tells: every file it wrote, and a command that trains the job here.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { hwy } from '../helpers.js';
import { pythonOrReason } from '../backends/torch/cases.js';

const { python, reason } = pythonOrReason();
const TITLE = python ? `hwy export's messages (${python.path}, torch ${python.torch})` : `hwy export's messages: SKIPPED, ${reason}`;

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)).map((f) => join(n, f)) : [n]));
}

// the case at hand: /usr/bin/python3 has torch (Debian's python3-torch), and a python3 earlier on PATH does not
const systemTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0;

describe.skipIf(!python || !systemTorch)(TITLE, () => {
  it("where PATH's python3 has no torch, the hint and the README name the Python that has it; the wrote line lists every file written", () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-export-msg-'));
    const bin = join(d, 'bin');
    mkdirSync(bin);
    // a python3 first on PATH that cannot import torch (no site-packages), as a virtualenv without it would be
    writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(join(bin, 'python3'), 0o755);
    const job = join(d, 'job');
    const r = hwy(['export', 'specs/paper/mlp-highway.hwy', '--set', 'depth=3', '--to', 'pytorch', '--out', job], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    const [wrote, train] = r.stdout.trim().split('\n');
    expect(train).toBe(`train with: cd ${job} && /usr/bin/python3 train.py`);
    const listed = wrote.replace(`wrote ${job}/: `, '').split(', ').sort();
    expect(listed).toEqual(filesUnder(job).map((f) => relative('', f)).sort());
    const readme = readFileSync(join(job, 'README.md'), 'utf8');
    expect(readme).toContain('/usr/bin/python3 train.py --resume');
    expect(readme).toContain('`/usr/bin/python3` is the Python with torch that hwy found where it exported this job (`python3` on its PATH had none)');
    expect(readme).not.toMatch(/^python3 train\.py/m);
  });
});
