import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

describe('VS Code extension', () => {
  it('prepares its assets from grammar/, and every path it contributes exists', () => {
    const dir = join(ROOT, 'editors/vscode');
    execFileSync(process.execPath, ['scripts/prepare.mjs'], { cwd: dir });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const p of [pkg.main, ...pkg.contributes.languages.map((l: { configuration: string }) => l.configuration), ...pkg.contributes.grammars.map((g: { path: string }) => g.path)]) {
      expect(existsSync(join(dir, p)), p).toBe(true);
    }
    expect(readFileSync(join(dir, 'syntaxes/hwy.tmLanguage.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'grammar/hwy.tmLanguage.json'), 'utf8'));
    expect(pkg.contributes.grammars[0].scopeName).toBe(JSON.parse(readFileSync(join(ROOT, 'grammar/hwy.tmLanguage.json'), 'utf8')).scopeName);
    expect(pkg.contributes.configuration.properties['hwy.server.command'].default).toContain('lsp');
  });
});
