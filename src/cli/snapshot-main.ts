// Entry of a V8 startup snapshot (bench/startup.mjs builds one to measure launchers): the compiler is
// loaded, the grammar built and the passes warmed up at build time, so `hwy check` starts
// about as fast as Node itself. Only the compiler commands are served from the snapshot.
import * as v8 from 'node:v8';
import { buildProgram, main } from './main-core.js';
import { compile } from '../core/compile.js';
import { renderDiagnostic } from '../diagnostics/render.js';

const WARM_UP = [
  'let w = 16\nnetwork n {\n  defaults gate_bias=-1 round=ceil\n  input 28x28x1\n  dropout 0.2\n  conv w 5x5 relu\n  repeat 2 {\n    highway conv 3x3 relu\n  }\n  maxpool 3x3 stride=2\n  expect 12x12 x w\n  flatten\n  highway dense 20\n  residual dense\n  dense 10 softmax\n}\ntrain {\n  data mnist augment=[mirror]\n  optimizer sgd momentum=0.9 nesterov=true\n  lr 0.1 schedule=multistep steps=[1, 2]\n  batch 100\n}\n',
  'network n {\n  input 4 @\n  dens 3 gate_bias=2\n  dense (1 + \n}\nlet = 3\n',
];
for (const text of WARM_UP) {
  const r = compile(text, 'warm-up.hwy');
  for (const d of r.diagnostics) renderDiagnostic(d, text);
}

v8.startupSnapshot.setDeserializeMainFunction(() => {
  // In a snapshot, argv[1] is already the first user argument.
  void main(process.argv.slice(1), buildProgram([]));
});
