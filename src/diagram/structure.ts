/**
 * The checked network's layers as the diagram draws them: a list of single layers and
 * repeated groups. A 100-layer paper spec is a handful of boxes and one "× 99" group, so
 * the drawing's size follows the spec's text, not its depth.
 */
import type { Layer, RepeatIndex, Shape } from '../ir/types.js';

export interface LayerNode {
  type: 'layer';
  layer: Layer;
}
/** `count` identical copies of `body`, one after another. */
export interface GroupNode {
  type: 'group';
  count: number;
  body: DiagramNode[];
}
/** Layers left out of the middle of a very long list, so that the drawing stays bounded. */
export interface ElidedNode {
  type: 'elided';
  layers: number;
  params: number;
  /** The output shape of the last layer left out: the edge below it carries it. */
  outShape: Shape;
}
export type DiagramNode = LayerNode | GroupNode | ElidedNode;

/**
 * The most boxes one list (the network, or a group's body) draws: a spec of thousands of
 * different layers written out by hand shows its first and last ones, and how many are left
 * out between them (the paper's specs draw at most 30).
 */
export const MAX_BOXES = 400;

/**
 * The groups the IR records (each layer's `repeat`: which repetition of which enclosing
 * `repeat` block it comes from), with runs of identical iterations folded; then runs of
 * identical consecutive layers written out one by one (an IR without repeat records is
 * folded too).
 */
export function diagramNodes(layers: readonly Layer[]): DiagramNode[] {
  // `repeat 1 { … }` repeats nothing: a group of one would only add a frame
  const paths = layers.map((l) => (l.repeat ?? []).filter((r) => r.count > 1));
  return build(layers.map((l, i) => ({ layer: l, path: paths[i] })), 0);
}

/** How many boxes a node draws. */
export const boxesOf = (n: DiagramNode): number => (n.type === 'group' ? n.body.reduce((a, b) => a + boxesOf(b), 0) : 1);
const layersOf = (n: DiagramNode): number => (n.type === 'layer' ? 1 : n.type === 'elided' ? n.layers : n.count * n.body.reduce((a, b) => a + layersOf(b), 0));
const paramsOf = (n: DiagramNode): number => (n.type === 'layer' ? n.layer.params : n.type === 'elided' ? n.params : n.count * n.body.reduce((a, b) => a + paramsOf(b), 0));

/** The shape a node passes on: its last layer's output. */
export const outShapeOf = (n: DiagramNode): Shape => (n.type === 'layer' ? n.layer.outShape : n.type === 'elided' ? n.outShape : outShapeOf(n.body[n.body.length - 1]));

/** A list of at most MAX_BOXES boxes: its head and tail, the middle as one elided node. */
function bounded(nodes: DiagramNode[]): DiagramNode[] {
  const boxes = nodes.map(boxesOf);
  if (boxes.reduce((a, b) => a + b, 0) <= MAX_BOXES) return nodes;
  const half = MAX_BOXES / 2;
  let head = 0;
  for (let n = 0; head < nodes.length && n + boxes[head] <= half; head++) n += boxes[head];
  let tail = nodes.length;
  for (let n = 0; tail > head && n + boxes[tail - 1] <= half; tail--) n += boxes[tail - 1];
  const middle = nodes.slice(head, tail);
  const elided: ElidedNode = {
    type: 'elided',
    layers: middle.reduce((a, m) => a + layersOf(m), 0),
    params: middle.reduce((a, m) => a + paramsOf(m), 0),
    outShape: outShapeOf(middle[middle.length - 1]),
  };
  return [...nodes.slice(0, head), elided, ...nodes.slice(tail)];
}

interface Entry {
  layer: Layer;
  path: RepeatIndex[];
}

function build(entries: Entry[], level: number): DiagramNode[] {
  const out: DiagramNode[] = [];
  let i = 0;
  while (i < entries.length) {
    const r = entries[i].path[level];
    if (!r) {
      out.push({ type: 'layer', layer: entries[i].layer });
      i++;
      continue;
    }
    // One repeat block: its layers run while the count stays and the index does not fall
    // back (a second block of the same count starts again at 1).
    let j = i + 1;
    while (j < entries.length) {
      const q = entries[j].path[level];
      if (!q || q.count !== r.count || q.index < entries[j - 1].path[level].index) break;
      j++;
    }
    const iterations: DiagramNode[][] = [];
    let k = i;
    while (k < j) {
      let m = k + 1;
      while (m < j && entries[m].path[level].index === entries[k].path[level].index) m++;
      iterations.push(build(entries.slice(k, m), level + 1));
      k = m;
    }
    append(out, foldIterations(iterations));
    i = j;
  }
  return bounded(foldRuns(out));
}

/**
 * Runs of identical iterations as groups. The projection the compiler inserts before the
 * first iteration's block (its input has another size) stands before the group, so that
 * `repeat 8 { highway dense 64 }` after a 784 vector is "projection, then × 8".
 */
function foldIterations(iterations: DiagramNode[][]): DiagramNode[] {
  const out: DiagramNode[] = [];
  if (iterations.length > 1) {
    const first = iterations[0];
    let lead = 0;
    while (lead < first.length && first[lead].type === 'layer' && (first[lead] as LayerNode).layer.inserted) lead++;
    if (lead > 0 && signature(first.slice(lead)) === signature(iterations[1])) {
      append(out, first.slice(0, lead));
      iterations = [first.slice(lead), ...iterations.slice(1)];
    }
  }
  let i = 0;
  while (i < iterations.length) {
    const sig = signature(iterations[i]);
    let j = i + 1;
    while (j < iterations.length && signature(iterations[j]) === sig) j++;
    if (j - i > 1) out.push({ type: 'group', count: j - i, body: iterations[i] });
    else append(out, iterations[i]);
    i = j;
  }
  return out;
}

/** push(...items) without the spread: a spec written out layer by layer has 100,000 of them, beyond a call's argument limit. */
function append<T>(out: T[], items: readonly T[]): void {
  for (const x of items) out.push(x);
}

/** The longest sequence of nodes folded as written out by hand (`a b a b a b` is `(a b) × 3`). */
const MAX_PERIOD = 4;

/**
 * Runs of identical consecutive nodes, or of identical short sequences, as groups: layers
 * written out one by one draw as a repeat of them does. At each node the period that covers
 * the most nodes wins (the shorter on a tie).
 */
function foldRuns(nodes: DiagramNode[]): DiagramNode[] {
  const sigs = nodes.map((n) => signature([n]));
  const out: DiagramNode[] = [];
  let i = 0;
  while (i < nodes.length) {
    let best = { period: 1, count: 1 };
    for (let p = 1; p <= MAX_PERIOD && i + 2 * p <= nodes.length; p++) {
      let k = 1;
      while (i + (k + 1) * p <= nodes.length && samePeriod(sigs, i, i + k * p, p)) k++;
      if (k > 1 && k * p > best.count * best.period) best = { period: p, count: k };
    }
    if (best.count === 1) out.push(nodes[i]);
    else if (best.period === 1) out.push(mergeGroup(nodes[i], best.count));
    else out.push({ type: 'group', count: best.count, body: foldRuns(nodes.slice(i, i + best.period)) });
    i += best.count * best.period;
  }
  return out;
}

const samePeriod = (sigs: string[], a: number, b: number, p: number): boolean => {
  for (let k = 0; k < p; k++) if (sigs[a + k] !== sigs[b + k]) return false;
  return true;
};

/** `n` copies of a node as one group (copies of a group multiply its count). */
const mergeGroup = (node: DiagramNode, n: number): GroupNode =>
  node.type === 'group' ? { type: 'group', count: node.count * n, body: node.body } : { type: 'group', count: n, body: [node] };

/**
 * What the diagram shows of a list of nodes, as a string: two lists draw the same when
 * their signatures are equal. Names and source positions are not drawn, so not compared.
 */
export function signature(nodes: readonly DiagramNode[]): string {
  return nodes.map((n) => (n.type === 'group' ? `[${n.count}:${signature(n.body)}]` : n.type === 'elided' ? `…${n.layers}:${n.params}` : layerSignature(n.layer))).join(';');
}

/** Fields a box does not show: two layers that differ only in these draw the same. */
const UNSHOWN = new Set(['name', 'span', 'repeat', 'given', 'flops']);

function layerSignature(l: Layer): string {
  const rec = l as unknown as Record<string, unknown>;
  // sorted keys: layers written on different lines may hold their settings in another order
  return JSON.stringify(
    Object.keys(rec)
      .filter((k) => !UNSHOWN.has(k))
      .sort()
      .map((k) => [k, rec[k]]),
  );
}
