// Builds the extension into dist/ and copies what it ships from the repository:
//  - dist/extension.js: the extension with vscode-languageclient bundled in, so the .vsix
//    carries no node_modules;
//  - dist/server.js: hwy's language server (src/lsp/standalone.ts) with everything it
//    needs, so the extension works with no hwy installed;
//  - the grammar and language configuration from grammar/ (their one source) and the
//    repository's LICENSE.
// The server is compiled from the repository's sources with the repository's packages:
// run `npm install` at the repository root first (esbuild comes from there too).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export const EXTENSION_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(EXTENSION_DIR, '..', '..');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // VS Code 1.82, the oldest the extension supports, runs extensions and forked servers on Node 18
  target: 'node18',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

/** The language server, one self-contained file. */
export async function bundleServer(outfile = join(EXTENSION_DIR, 'dist', 'server.js')) {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    ...common,
    entryPoints: [join(REPO, 'src/lsp/standalone.ts')],
    outfile,
    // The server formats with hwy's own Prettier plugin and never loads another, so Prettier's
    // standalone build (format and doc, no bundled language plugins: 90 KB instead of 8 MB) does.
    alias: { prettier: 'prettier/standalone' },
  });
  return outfile;
}

/** The extension, with vscode-languageclient inside (`vscode` is the editor's own). */
export async function bundleExtension(outfile = join(EXTENSION_DIR, 'dist', 'extension.js')) {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({ ...common, entryPoints: [join(EXTENSION_DIR, 'src/extension.js')], outfile, external: ['vscode'] });
  return outfile;
}

export function copyAssets() {
  mkdirSync(join(EXTENSION_DIR, 'syntaxes'), { recursive: true });
  copyFileSync(join(REPO, 'grammar/hwy.tmLanguage.json'), join(EXTENSION_DIR, 'syntaxes/hwy.tmLanguage.json'));
  copyFileSync(join(REPO, 'grammar/language-configuration.json'), join(EXTENSION_DIR, 'language-configuration.json'));
  copyFileSync(join(REPO, 'LICENSE'), join(EXTENSION_DIR, 'LICENSE'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  copyAssets();
  await Promise.all([bundleServer(), bundleExtension()]);
  console.log('built editors/vscode/dist (extension.js, server.js) and copied the grammar and LICENSE');
}
