/**
 * The checked network's layers as the diagram draws them: a list of single layers and
 * repeated groups. A 100-layer paper spec is a handful of boxes and one "× 99" group, so
 * the drawing's size follows the spec's text, not its depth.
 */
import type { Layer, RepeatIndex } from '../ir/types.js';

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
export type DiagramNode = LayerNode | GroupNode;

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
    out.push(...foldIterations(iterations));
    i = j;
  }
  return foldRuns(out);
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
      out.push(...first.slice(0, lead));
      iterations = [first.slice(lead), ...iterations.slice(1)];
    }
  }
  let i = 0;
  while (i < iterations.length) {
    const sig = signature(iterations[i]);
    let j = i + 1;
    while (j < iterations.length && signature(iterations[j]) === sig) j++;
    if (j - i > 1) out.push({ type: 'group', count: j - i, body: iterations[i] });
    else out.push(...iterations[i]);
    i = j;
  }
  return out;
}

/** Runs of identical consecutive nodes (layers written out one by one) as groups. */
function foldRuns(nodes: DiagramNode[]): DiagramNode[] {
  const out: DiagramNode[] = [];
  let i = 0;
  while (i < nodes.length) {
    const sig = signature([nodes[i]]);
    let j = i + 1;
    while (j < nodes.length && signature([nodes[j]]) === sig) j++;
    // the input layer is one of a kind; a single node stays as it is
    if (j - i > 1) out.push(mergeGroup(nodes[i], j - i));
    else out.push(nodes[i]);
    i = j;
  }
  return out;
}

/** `n` copies of a node as one group (copies of a group multiply its count). */
const mergeGroup = (node: DiagramNode, n: number): GroupNode =>
  node.type === 'group' ? { type: 'group', count: node.count * n, body: node.body } : { type: 'group', count: n, body: [node] };

/**
 * What the diagram shows of a list of nodes, as a string: two lists draw the same when
 * their signatures are equal. Names and source positions are not drawn, so not compared.
 */
export function signature(nodes: readonly DiagramNode[]): string {
  return nodes.map((n) => (n.type === 'group' ? `[${n.count}:${signature(n.body)}]` : layerSignature(n.layer))).join(';');
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
