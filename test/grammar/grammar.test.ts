import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { railroadHtml } from '../../src/parser/diagrams.js';
import { BLOCKS, SETTINGS } from '../../src/language/catalogue.js';
import { ROOT } from '../helpers.js';

describe('grammar artifacts', () => {
  it('grammar/railroad.html is the diagram of the current parser (npm run grammar regenerates it)', () => {
    expect(readFileSync(join(ROOT, 'grammar/railroad.html'), 'utf8')).toBe(railroadHtml());
  });

  it('the TextMate grammar highlights every block kind and training setting of the language', () => {
    const g = JSON.parse(readFileSync(join(ROOT, 'grammar/hwy.tmLanguage.json'), 'utf8'));
    const re = new RegExp(g.repository.block.match);
    for (const k of [...BLOCKS.map((b) => b.kind), ...SETTINGS.map((s) => s.kind)]) {
      const m = re.exec(`  ${k} 3`);
      expect(m?.[2], k).toBe(k);
    }
  });

  it('scope assertions pass (vscode-tmgrammar-test)', () => {
    const req = createRequire(import.meta.url);
    const pkg = req.resolve('vscode-tmgrammar-test/package.json');
    const bin = join(dirname(pkg), JSON.parse(readFileSync(pkg, 'utf8')).bin['vscode-tmgrammar-test']);
    const r = spawnSync(process.execPath, [bin, '-g', 'grammar/hwy.tmLanguage.json', 'test/grammar/*.test.hwy'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('run successfuly');
    expect(r.status).toBe(0);
  });
});
