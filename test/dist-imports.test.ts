// What the built CLI imports at run time must be installed with it: a package the bundle
// leaves external has to be a dependency (or a peer), never a devDependency. vega and
// vega-lite are bundled in (they are devDependencies), so a user's install goes without
// them and their tree; this test fails if the build ever leaves one of them external again.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string>; devDependencies: Record<string, string> };
// imported inside try/catch by a bundled library (vega's canvas renderer, which hwy does not use)
const GUARDED_OPTIONAL = new Set(['canvas']);

function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function specifiers(): Map<string, string[]> {
  const files = [...readdirSync(join(ROOT, 'dist')).filter((f) => f.endsWith('.js') || f.endsWith('.cjs')).map((f) => join('dist', f)), ...readdirSync(join(ROOT, 'dist', 'chunks')).filter((f) => f.endsWith('.js')).map((f) => join('dist', 'chunks', f))];
  const found = new Map<string, string[]>();
  for (const f of files) {
    const code = readFileSync(join(ROOT, f), 'utf8');
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)"([^".][^"]*)"/g)) {
      const spec = m[1];
      if (!/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+(\/[\w./-]+)?$/i.test(spec)) continue; // a string that only looks like one
      found.set(spec, [...(found.get(spec) ?? []), f]);
    }
  }
  return found;
}

describe('the built CLI', () => {
  it('imports only Node built-ins and the packages installed with it (dependencies and peers)', () => {
    const found = specifiers();
    expect(found.size).toBeGreaterThan(10); // the scan sees the bundle's imports at all
    expect([...found.keys()]).toContain('@tensorflow/tfjs-core');
    const installed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    const builtin = new Set(builtinModules);
    const stray = [...found.keys()].filter((s) => !s.startsWith('node:') && !builtin.has(s) && !installed.has(packageOf(s)) && !GUARDED_OPTIONAL.has(s));
    expect(stray.map((s) => `${s} (in ${found.get(s)!.join(', ')})`)).toEqual([]);
  });
  it('carries the plotting stack inside: vega and vega-lite are not imported, and are not dependencies', () => {
    const found = specifiers();
    expect([...found.keys()].filter((s) => /^vega(-lite)?(\/|$)/.test(s))).toEqual([]);
    expect(Object.keys(pkg.dependencies)).not.toContain('vega');
    expect(Object.keys(pkg.devDependencies)).toContain('vega-lite');
  });
});
