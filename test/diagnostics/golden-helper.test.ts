import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { golden, ROOT } from '../helpers.js';

describe('golden files', () => {
  const saved = { CI: process.env.CI, UPDATE_GOLDEN: process.env.UPDATE_GOLDEN };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('a missing golden file fails outside CI too, and is not written', () => {
    delete process.env.CI;
    delete process.env.UPDATE_GOLDEN;
    const rel = 'diagnostics/does-not-exist.txt';
    expect(() => golden(rel, 'anything\n')).toThrow(/golden file missing: test\/golden\/diagnostics\/does-not-exist\.txt/);
    expect(existsSync(join(ROOT, 'test/golden', rel))).toBe(false);
  });

  it('UPDATE_GOLDEN=1 writes it', () => {
    process.env.UPDATE_GOLDEN = '1';
    const rel = `tmp-${process.pid}/written.txt`;
    try {
      golden(rel, 'fresh\n');
      expect(existsSync(join(ROOT, 'test/golden', rel))).toBe(true);
    } finally {
      rmSync(join(ROOT, 'test/golden', `tmp-${process.pid}`), { recursive: true, force: true });
    }
  });
});
