// hwy compile --emit svg: the diagram of src/diagram/svg.ts, on standard output or into -o's file.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { hwy } from '../helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hwy-diagram-cli-'));

describe('hwy compile --emit svg', () => {
  it('writes the diagram to standard output: well-formed, the spec with --set applied', () => {
    const r = hwy(['compile', 'specs/paper/mlp-highway.hwy', '--emit', 'svg', '--set', 'depth=30']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox=/);
    expect(() => new Resvg(r.stdout)).not.toThrow();
    expect(r.stdout).toContain('>× 29<');
    expect(r.stdout).toContain('highway dense 50 relu');
  });

  it('-o writes a file (standard output stays empty); a spec read from standard input works too', () => {
    const d = tmp();
    const out = join(d, 'net.svg');
    const r = hwy(['compile', '-', '--emit', 'svg', '-o', out], { input: readFileSync('specs/paper/mnist-conv-highway.hwy', 'utf8') });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('highway conv 16 3x3 relu');
    expect(svg.endsWith('</svg>\n')).toBe(true);
  });

  it('a spec with errors: the diagnostics, exit 1, no diagram', () => {
    const d = tmp();
    const f = join(d, 'bad.hwy');
    writeFileSync(f, 'network n {\n  input 28x28x1\n  dense 10\n}\n');
    const r = hwy(['compile', f, '--emit', 'svg']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HWY3002');
    expect(r.stdout).toBe('');
  });

  it('--help lists the target', () => {
    const help = hwy(['compile', '--help']).stdout;
    expect(help).toMatch(/\n {2}svg {6}an SVG diagram of the layers/);
    expect(help).toContain('--emit svg -o net.svg');
  });
});
