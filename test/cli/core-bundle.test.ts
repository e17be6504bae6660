// The compiler commands run from dist/hwy-core.cjs (bin/core-loader.js), with V8's code
// cache that the build writes for this Node; every other command from dist/hwy.js. Both
// must say the same, byte for byte; the cache must be taken when it fits, and ignored
// (the command still right) when it was made from another file or is not V8's at all.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
// a spec with errors: a conv after flatten (HWY3002), an unknown name, a typo'd attribute
const bad = mkdtempSync(join(tmpdir(), 'hwy-core-bad-'));
dirs.push(bad);
writeFileSync(join(bad, 'bad.hwy'), 'network bad {\n  input 28x28x1\n  flatten\n  conv 8 3x3 relu\n  dense widht softmax\n  highway dense relu gate_bais=-2\n}\n');

/** Runs a command line through bin/hwy.js (the core bundle for a compiler command). */
const viaBin = (args: string[], cwd = ROOT) => spawnSync(process.execPath, [join(ROOT, 'bin/hwy.js'), ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
/** The same command line through dist/hwy.js, the ES bundle every other command runs from. */
const viaFull = (args: string[], cwd = ROOT) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(ROOT, 'dist/hwy.js'))}); await m.main(${JSON.stringify(args)});`], { cwd, env, encoding: 'utf8', timeout: 120_000 });

/** What loadCore says in a child with no flags (V8 takes a cache only with the flags it was made with). */
function loadReport(binDir: string): { usedCache: boolean; rejected: boolean; commands: string[] } {
  const code = `const r = require(${JSON.stringify(join(binDir, 'core-loader.js'))}).loadCore(); console.log(JSON.stringify({ usedCache: r.usedCache, rejected: r.script.cachedDataRejected === true, commands: [...r.exports.CORE_COMMANDS] }));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

describe('the compiler commands bundle (dist/hwy-core.cjs)', () => {
  it("holds the commands bin/hwy.js sends to it, and is loaded with the build's code cache", () => {
    const bin = readFileSync(join(ROOT, 'bin/hwy.js'), 'utf8');
    const listed = /const CORE = new Set\(\[([^\]]*)\]\)/.exec(bin)?.[1].match(/'([a-z]+)'/g)?.map((s) => s.slice(1, -1));
    const r = loadReport(join(ROOT, 'bin'));
    expect(listed?.sort()).toEqual(r.commands.sort());
    expect(r.commands.sort()).toEqual(['check', 'compile', 'explain', 'summary']);
    expect(r.usedCache).toBe(true);
  });

  it.each([
    ['check', 'specs'],
    ['check', 'specs/paper', '--format', 'json'],
    ['check', join(bad, 'bad.hwy')],
    ['summary', join(bad, 'bad.hwy')],
    ['summary', 'specs/paper/mnist-conv-highway.hwy', '--set', 'width=32'],
    ['compile', 'specs/paper/mlp-highway.hwy', '--emit', 'ir'],
    ['compile', 'specs/examples/small-conv.hwy', '--emit', 'pytorch'],
    ['explain', 'HWY3002'],
    ['check', '--help'],
    ['check', 'no-such-file.hwy'],
    ['summary'],
  ])('hwy %s %s… says what the full CLI says, byte for byte, with its exit status', (...args) => {
    const a = viaBin(args);
    const b = viaFull(args);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stderr).toBe(b.stderr);
    expect(a.status).toBe(b.status);
    expect(a.stdout.length + a.stderr.length).toBeGreaterThan(0);
  });

  it('writes all of a large output through a pipe before it exits', () => {
    // an IR of a 400-layer network: far more than a pipe holds (64 KiB), so the reader must drain it while hwy exits
    const a = viaBin(['compile', 'specs/paper/mlp-highway.hwy', '--set', 'depth=400', '--emit', 'ir']);
    expect(a.status).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(256 * 1024);
    expect(JSON.parse(a.stdout).layers.length).toBeGreaterThan(400);
  });

  it('ignores a cache made from another file, or one V8 rejects, and still runs', () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-core-cache-'));
    dirs.push(d);
    mkdirSync(join(d, 'dist'));
    cpSync(join(ROOT, 'bin'), join(d, 'bin'), { recursive: true });
    for (const f of ['hwy-core.cjs', 'hwy-core.cache']) cpSync(join(ROOT, 'dist', f), join(d, 'dist', f));
    // the cache's header names the size and modification time of the file it was made from: the copy's fit once written in
    const headerOf = (file: string) => {
      const st = statSync(file, { bigint: true });
      const h = Buffer.alloc(16);
      h.writeBigUInt64LE(st.size, 0);
      h.writeBigUInt64LE(st.mtimeNs, 8);
      return h;
    };
    expect(loadReport(join(d, 'bin')).usedCache).toBe(false); // a copy is a new file (another time)
    const payload = readFileSync(join(ROOT, 'dist/hwy-core.cache')).subarray(16);
    writeFileSync(join(d, 'dist/hwy-core.cache'), Buffer.concat([headerOf(join(d, 'dist/hwy-core.cjs')), payload]));
    expect(loadReport(join(d, 'bin')).usedCache).toBe(true);
    // the bundle edited (a comment appended): the cache is not offered to V8 at all
    writeFileSync(join(d, 'dist/hwy-core.cjs'), readFileSync(join(ROOT, 'dist/hwy-core.cjs'), 'utf8') + '\n// edited\n');
    expect(loadReport(join(d, 'bin'))).toMatchObject({ usedCache: false, rejected: false });
    // a header that fits over bytes that are no code cache: V8 rejects them and compiles the text
    writeFileSync(join(d, 'dist/hwy-core.cache'), Buffer.concat([headerOf(join(d, 'dist/hwy-core.cjs')), Buffer.alloc(4096, 7)]));
    const r = loadReport(join(d, 'bin'));
    expect(r).toMatchObject({ usedCache: false, rejected: true });
    expect(r.commands).toContain('check');
  });
});
