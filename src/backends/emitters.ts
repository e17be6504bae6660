/**
 * The compile targets, in one place: `hwy compile --emit NAME` and its `--help` read this
 * list. A new backend is a folder under src/backends/ and one line here.
 */
import type { NetworkIR } from '../ir/types.js';
import { irToJson } from '../ir/write.js';
import { IR_SCHEMA } from '../ir/schema.js';
import { summaryText } from './text/summary.js';
import { toDot } from './text/dot.js';
import { emitModelPy } from './torch/emit-model.js';
import { renderNetworkSvg } from '../diagram/svg.js';

interface EmitterInfo {
  name: string;
  /** One line for `hwy compile --help`. */
  description: string;
  /** What a file of its output is called: `.json`, `.py`, … */
  extension: string;
}
/** An emitter of a checked network (every target but the schema). */
export interface SpecEmitter extends EmitterInfo {
  needsSpec: true;
  emit(ir: NetworkIR): string;
}
/** An emitter that needs no spec (the IR's JSON Schema). */
export interface StaticEmitter extends EmitterInfo {
  needsSpec: false;
  emit(): string;
}
export type Emitter = SpecEmitter | StaticEmitter;

const lines = (s: string) => (s.endsWith('\n') ? s : s + '\n');

export const EMITTERS: readonly Emitter[] = [
  { name: 'ir', description: 'the checked IR as JSON (the published artifact)', extension: '.json', needsSpec: true, emit: irToJson },
  { name: 'summary', description: 'the table of hwy summary', extension: '.txt', needsSpec: true, emit: (ir) => lines(summaryText(ir)) },
  { name: 'dot', description: 'a Graphviz diagram of the layers', extension: '.dot', needsSpec: true, emit: (ir) => lines(toDot(ir)) },
  { name: 'svg', description: 'an SVG diagram of the layers (no Graphviz needed)', extension: '.svg', needsSpec: true, emit: (ir) => renderNetworkSvg(ir) },
  { name: 'pytorch', description: 'a self-contained PyTorch module: class Net(torch.nn.Module)', extension: '.py', needsSpec: true, emit: emitModelPy },
  { name: 'schema', description: 'the JSON Schema of the IR (no spec needed)', extension: '.json', needsSpec: false, emit: () => JSON.stringify(IR_SCHEMA, null, 2) + '\n' },
];

export const emitterNamed = (name: string): Emitter | undefined => EMITTERS.find((e) => e.name === name);
