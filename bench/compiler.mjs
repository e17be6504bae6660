// Compiler benchmarks: in-process compile time of generated specs of growing size (start-up
// of `hwy check specs/` is startup.mjs's). Ratios are against baselines measured in this
// same run, so they hold on any machine.
import { compile } from '../dist/lib.js';

function generated(layers) {
  return `network gen {\n  input 64\n  dense 32 relu\n  repeat ${layers - 2} {\n    highway dense relu gate_bias=-2\n  }\n  dense 10 softmax\n}\n`;
}
function unrolled(layers) {
  return `network gen {\n  input 64\n  dense 32 relu\n${'  highway dense relu gate_bias=-2\n'.repeat(layers - 2)}  dense 10 softmax\n}\n`;
}

export function scaling() {
  const rows = [];
  for (const [label, make] of [['repeat', generated], ['written out', unrolled]]) {
    for (const n of [1000, 10000, 100000]) {
      const text = make(n);
      compile(text, 'warm.hwy');
      const runs = n >= 100000 ? 3 : 10;
      const times = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const r = compile(text, 'gen.hwy');
        times.push(performance.now() - t);
        if (!r.ok || r.ir.layers.length !== n + 1) throw new Error(`generated spec of ${n} layers did not compile`);
      }
      times.sort((a, b) => a - b);
      rows.push({ form: label, layers: n, ms: times[Math.floor(times.length / 2)] });
    }
  }
  return rows;
}
