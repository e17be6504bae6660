// Bundles the CLI into dist/hwy.js. Heavy optional runtimes (tfjs) stay external and load on demand.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/hwy.js',
  sourcemap: 'linked',
  external: ['@tensorflow/*', 'vscode-languageserver', 'vscode-languageserver/*', 'prettier', '@resvg/*', 'vega', 'vega-lite', 'mnist', 'cli-progress'],
  banner: { js: "import { createRequire as __hwyCreateRequire } from 'node:module'; const require = __hwyCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
