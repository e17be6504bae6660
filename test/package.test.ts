// The package as a user gets it: `npm pack`, the tarball unpacked as node_modules/hwy-lang of
// an empty project (its dependencies linked from this checkout: no network in tests), then
// a strict TypeScript consumer, the command and the Prettier plugin used from there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.js';
import { PACKAGE_NAME } from '../src/util/package-root.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let files: string[] = [];
let consumer = '';
let dir = '';

const GOOD = `import { compile, irToJson, validateIr, IR_VERSION, type NetworkIR, type Diagnostic } from '${pkg.name}';
import { loadBundledMnist, permutation, type BackendChoice } from '${pkg.name}/train';
import schema from '${pkg.name}/schema/ir-v1.json' with { type: 'json' };
import { CUSTOM_LAYERS } from '${pkg.name}/layers';
const customLayers: number = CUSTOM_LAYERS.length;

const r = compile('network n {\\n  input 4\\n  dense 3 softmax\\n}\\n', 'n.hwy');
const problems: Diagnostic[] = r.diagnostics;
if (!r.ok || !r.ir) throw new Error(problems.map((d) => d.message).join('; '));
const ir: NetworkIR = r.ir;
const params: number = ir.stats.totalParams;
const back = validateIr(JSON.parse(irToJson(ir)));
const backend: BackendChoice = 'cpu';
const { test } = loadBundledMnist();
console.log(JSON.stringify({ params, version: IR_VERSION, back: back.ok, id: schema.$id, test: test.count, perm: permutation(3, 1).length, backend, customLayers }));
`;
// Each line a type error tsc must report (so that the check above can fail).
const BAD = `import { compile } from '${pkg.name}';
import { loadBundledMnist } from '${pkg.name}/train';
const ok: string = compile('', 'a.hwy').ok;
loadBundledMnist(42);
`;

beforeAll(() => {
  // The type declarations (tsc, seconds): the tests' build leaves them out.
  execFileSync(process.execPath, ['scripts/build.mjs', '--types'], { cwd: ROOT, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'hwy-pack-'));
  // --ignore-scripts: the tests' build is current; `prepare` would rebuild dist/ under the other test files.
  const npm = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  if (npm.status !== 0) throw new Error(`npm pack failed: ${npm.stderr}`);
  const [info] = JSON.parse(npm.stdout) as { filename: string; files: { path: string }[] }[];
  files = info.files.map((f) => f.path);
  consumer = join(dir, 'consumer');
  mkdirSync(join(consumer, 'node_modules'), { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, info.filename), '-C', dir]);
  renameSync(join(dir, 'package'), join(consumer, 'node_modules', pkg.name));
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry.startsWith('.') || entry === pkg.name) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(consumer, 'node_modules', entry));
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // skipLibCheck as `tsc --init` writes it: @tensorflow/tfjs-layers' own declarations do not pass strict checks.
  const options = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', resolveJsonModule: true, skipLibCheck: true, outDir: 'out' };
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, include: ['good.ts'] }));
  writeFileSync(join(consumer, 'tsconfig.bad.json'), JSON.stringify({ compilerOptions: { ...options, noEmit: true }, include: ['good.ts', 'bad.ts'] }));
  writeFileSync(join(consumer, 'tsconfig.libs.json'), JSON.stringify({ compilerOptions: { ...options, skipLibCheck: false, noEmit: true }, include: ['good.ts'] }));
  writeFileSync(join(consumer, 'good.ts'), GOOD);
  writeFileSync(join(consumer, 'bad.ts'), BAD);
}, 600_000);
// rmSync removes the consumer's links to this checkout's packages, never what they point at.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package', () => {
  it('holds what it needs and nothing built for one machine', () => {
    expect(PACKAGE_NAME).toBe(pkg.name); // hwy finds its own directory (data, specs) by this name
    for (const f of ['bin/hwy.js', 'bin/core-loader.js', 'bin/package.json', 'dist/hwy-core.cjs', 'dist/hwy.js', 'dist/lib.js', 'dist/train.js', 'dist/types/index.d.ts', 'dist/types/train-api.d.ts', 'dist/python/hwy_train.py', 'dist/python/hwy_optuna.py', 'schema/ir-v1.json', 'data/mnist-10k-images-idx3-ubyte.gz', 'data/mnist-10k-labels-idx1-ubyte.gz', 'LICENSE', 'README.md', 'package.json']) expect(files).toContain(f);
    // a V8 startup snapshot or code cache only loads in the Node that built it
    expect(files.filter((f) => /snapshot|\.blob$|\.cache$/.test(f))).toEqual([]);
    expect(files.filter((f) => /^(src|test|bench|scripts|node_modules)\//.test(f))).toEqual([]);
    // source maps would double the package (they name our sources, which it does not ship)
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    // the playground (npm run build:site) is built from a clone and hosted on its own, not shipped
    expect(files.filter((f) => f.startsWith('dist/site/'))).toEqual([]);
    // every export has its types, and they are in the tarball
    for (const [name, target] of Object.entries(pkg.exports as Record<string, string | { types?: string; default: string }>)) {
      if (name.endsWith('.json')) continue;
      // a script-tag bundle (layers.global.js) defines a global, not a module: no types to give
      if (typeof target === 'string') {
        expect(name, 'only script-tag bundles are exported without types').toMatch(/\.global\.js$/);
        expect(files, name).toContain(target.replace(/^\.\//, ''));
        continue;
      }
      const t = target as { types?: string; default: string };
      expect(t.types, name).toMatch(/\.d\.ts$/);
      expect(files, name).toContain(t.types!.replace(/^\.\//, ''));
      expect(files, name).toContain(t.default.replace(/^\.\//, ''));
    }
    expect(readFileSync(join(consumer, 'node_modules', pkg.name, pkg.bin.hwy), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  }, 240_000);
  it('a strict TypeScript consumer (module nodenext) compiles against it, runs, and type errors are reported', () => {
    const good = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: consumer, encoding: 'utf8' });
    expect(good.stdout + good.stderr).toBe('');
    expect(good.status).toBe(0);
    const run = spawnSync(process.execPath, ['out/good.js'], { cwd: consumer, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ params: 15, version: 1, back: true, id: `https://unpkg.com/${pkg.name}/schema/ir-v1.json`, test: 1000, perm: 3, backend: 'cpu', customLayers: 6 });
    const bad = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.bad.json'], { cwd: consumer, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    const reported = bad.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(reported.map((l) => l.replace(/\(.*/, '') + ' ' + (l.match(/TS\d+/) ?? [''])[0])).toEqual(['bad.ts TS2322', 'bad.ts TS2554']);
  }, 240_000);
  it("hwy's own declarations pass strict checks (skipLibCheck off: only other packages' may fail)", () => {
    const libs = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.libs.json'], { cwd: consumer, encoding: 'utf8' });
    const reported = libs.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(reported.filter((l) => l.includes(`node_modules/${pkg.name}/`) || !l.includes('node_modules/'))).toEqual([]);
    // the check reads hwy's declarations: break one and it must complain
    const dts = join(consumer, 'node_modules', pkg.name, 'dist/types/index.d.ts');
    const text = readFileSync(dts, 'utf8');
    writeFileSync(dts, text + 'export declare const broken: NoSuchType;\n');
    try {
      const broken = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.libs.json'], { cwd: consumer, encoding: 'utf8' });
      expect(broken.stdout).toMatch(new RegExp(`node_modules/${pkg.name}/dist/types/index\\.d\\.ts\\(\\d+,\\d+\\): error TS\\d+: Cannot find name .NoSuchType.`));
    } finally {
      writeFileSync(dts, text);
    }
  }, 240_000);
  it('its command and its Prettier plugin work from the consumer', () => {
    writeFileSync(join(consumer, 'net.hwy'), 'network n {\n  input 4\n  dense 3 softmax\n}\n');
    const check = spawnSync(process.execPath, [join(consumer, 'node_modules', pkg.name, pkg.bin.hwy), 'summary', 'net.hwy'], { cwd: consumer, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('Total params: 15');
    const prettier = spawnSync(process.execPath, [join(ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--plugin', `${pkg.name}/prettier-plugin`, '--check', 'net.hwy'], { cwd: consumer, encoding: 'utf8' });
    expect(prettier.stdout + prettier.stderr).toContain('All matched files use Prettier code style');
    expect(prettier.status).toBe(0);
  }, 240_000);
});
