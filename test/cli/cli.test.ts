import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, hwy } from '../helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hwy-cli-'));

describe('hwy CLI', () => {
  it('check: 0 when clean, over a whole directory', () => {
    const r = hwy(['check', 'specs']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('specs/paper/mlp-highway.hwy: ok');
    expect(r.stdout).toBe('');
  });
  it('check: 1 with every error rendered with file:line:col and a code frame', () => {
    const d = tmp();
    const f = join(d, 'bad.hwy');
    writeFileSync(f, 'network n {\n  input 28x28x1\n  dense 10\n  maxpool 99\n  dnese 3\n}\n');
    const r = hwy(['check', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:3:3: error HWY3002`);
    expect(r.stderr).toContain(`${f}:5:3: error HWY2001: unknown block kind 'dnese'`);
    expect(r.stderr).toContain("did you mean 'dense'?");
    expect(r.stderr).toMatch(/\n3 \|   dense 10\n {2}\| {3}\^{8}/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
  it('check --format json: the diagnostics contract', () => {
    const d = tmp();
    const f = join(d, 'w.hwy');
    writeFileSync(f, 'network n {\n  input 4\n  highway dense gate_bias=3\n}\n');
    const r = hwy(['check', f, '--format', 'json']);
    expect(r.code).toBe(0);
    const ds = JSON.parse(r.stdout);
    expect(ds[0]).toEqual({
      severity: 'warning',
      code: 'HWY5001',
      message: expect.stringContaining('positive'),
      span: { file: f, start: { line: 3, col: 3, offset: 24 }, end: { line: 3, col: 28, offset: 49 } },
      hint: expect.any(String),
    });
  });
  it('exit 2 for usage and file problems, with one line and no stack trace', () => {
    for (const args of [['check', 'nope.hwy'], ['check', 'specs', '--format', 'yaml'], ['summary', 'specs/paper/mlp-highway.hwy', '--set', 'depth=abc'], ['summary', 'specs/paper/mlp-highway.hwy', '--set', 'dpth=3'], ['frobnicate'], ['summary'], ['compile', 'specs/paper/mlp-highway.hwy', '--emit', 'onnx'], ['explain', 'HWY0000'], ['summary', 'specs']]) {
      const r = hwy(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().length).toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(hwy(['summary', 'specs/paper/mlp-highway.hwy', '--set', 'dpth=3']).stderr).toContain("did you mean 'depth'?");
  });
  it('binary and empty files: a clear error, exit 1', () => {
    const d = tmp();
    writeFileSync(join(d, 'junk.hwy'), Buffer.from([0, 1, 2, 255, 254, 10, 0]));
    writeFileSync(join(d, 'empty.hwy'), '');
    expect(hwy(['check', join(d, 'junk.hwy')]).stderr).toContain('HWY1005');
    expect(hwy(['check', join(d, 'empty.hwy')]).stderr).toContain('defines no network');
    expect(hwy(['check', join(d, 'empty.hwy')]).code).toBe(1);
  });
  it('summary: a table, and the JSON contract', () => {
    const t = hwy(['summary', 'specs/paper/mnist-conv-highway.hwy']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('Total params: 38,986');
    const j = JSON.parse(hwy(['summary', 'specs/paper/mnist-conv-highway.hwy', '--format', 'json', '--set', 'width=32']).stdout);
    expect(j.network).toBe('mnist_conv_highway');
    expect(j.totalParams).toBe(151_690);
    // the fields scripts read since the first version are still there
    expect(Object.keys(j.layers[0])).toEqual(expect.arrayContaining(['inserted', 'kind', 'name', 'outputShape', 'params']));
    expect(j.layers.at(-1)).toMatchObject({ name: 'dense_1', kind: 'dense', outputShape: [10], params: 1450 + 1440, inserted: false, activation: 'softmax', flops: 2 * 288 * 10 });
    expect(t.stdout).toContain('Training memory per batch of 100 (estimated)');
    expect(j.memory.parameterBytes).toBe(151_690 * 4);
  });
  it('summary of a spec with errors: exit 1 and the errors', () => {
    const d = tmp();
    writeFileSync(join(d, 'e.hwy'), 'network n {\n  input 4\n  conv 3 3\n}\n');
    const r = hwy(['summary', join(d, 'e.hwy')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HWY3002');
  });
  it('compile --emit ir|dot|schema, to stdout or atomically to a file', () => {
    const d = tmp();
    const out = join(d, 'ir.json');
    expect(hwy(['compile', 'specs/paper/mlp-highway.hwy', '--set', 'depth=20', '-o', out]).code).toBe(0);
    const ir = JSON.parse(readFileSync(out, 'utf8'));
    expect(ir.irVersion).toBe(1);
    expect(ir.stats.highwayLayers).toBe(19);
    const dot = hwy(['compile', 'specs/paper/mlp-highway.hwy', '--emit', 'dot']).stdout;
    expect(dot).toMatch(/^digraph "mlp_highway" \{/);
    expect(dot).toContain('highway dense relu x9');
    expect(dot).toContain('label="784"');
    const schema = JSON.parse(hwy(['compile', '--emit', 'schema']).stdout);
    expect(schema.title).toBe('hwy network IR');
  });
  it('explain prints a code, and lists all codes', () => {
    const r = hwy(['explain', '3006']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('HWY3006 (note): projection inserted');
    expect(hwy(['explain']).stdout.split('\n').filter(Boolean).length).toBeGreaterThan(30);
  });
  it('--help helps, per command', () => {
    expect(hwy(['--help']).stdout).toContain('Exit status');
    expect(hwy(['summary', '--help']).stdout).toContain('--set <name=value>');
    expect(hwy(['--version']).code).toBe(0);
  });
});

describe('bin/hwy.js launcher', () => {
  it('runs through its #!/usr/bin/env node line, as npm links it, with exit codes passed through', () => {
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const r = spawnSync(join(ROOT, 'bin/hwy.js'), ['summary', 'specs/paper/mnist-conv-highway.hwy', '--set', 'width=32'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Total params: 151,690');
    expect(spawnSync(join(ROOT, 'bin/hwy.js'), ['check', 'nope.hwy'], { cwd: ROOT }).status).toBe(2);
    expect(spawnSync(join(ROOT, 'bin/hwy.js'), ['explain', 'HWY3002'], { cwd: ROOT }).status).toBe(0);
  });
});
