// Writes the README's network diagrams, docs/diagram/*.{svg,png}: `hwy compile --emit svg`
// of two paper specs, rendered to PNG by resvg (the renderer hwy analyze uses for figures).
// Run after `npm run build`: node scripts/diagram-images.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = `${ROOT}docs/diagram`;
const SPECS = ['specs/paper/mnist-conv-highway.hwy', 'specs/paper/mlp-highway.hwy'];

mkdirSync(OUT, { recursive: true });
for (const spec of SPECS) {
  const name = spec.split('/').pop().replace(/\.hwy$/, '');
  const svg = execFileSync(process.execPath, [`${ROOT}bin/hwy.js`, 'compile', spec, '--emit', 'svg'], { cwd: ROOT, encoding: 'utf8' });
  writeFileSync(`${OUT}/${name}.svg`, svg);
  // twice the size, for high-density screens; DejaVu Sans where the system fonts the SVG names are missing
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  writeFileSync(`${OUT}/${name}.png`, png);
  console.log(`wrote docs/diagram/${name}.svg and .png`);
}
