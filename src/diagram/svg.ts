/**
 * The checked network as an SVG diagram, laid out here (a vertical stack: no Graphviz):
 * the input, one box a layer with its settings and parameter count, the output shape on
 * each edge, highway blocks with their gates and carry path, inserted projections marked,
 * repeats framed once as "× N". A pure function of the IR with no Node imports: `hwy
 * compile --emit svg`, the studio's run page and the browser playground's worker share it.
 */
import type { Layer, NetworkIR, Shape } from '../ir/types.js';
import { fmtShape } from '../language/shape.js';
import { flagsOf, isGated, layerLabel } from '../language/kinds.js';
import { diagramNodes, type DiagramNode } from './structure.js';
import { thousands } from '../language/thousands.js';

export interface DiagramOptions {
  /** The heading; the network's name by default. */
  title?: string;
}

// The studio's palette (src/studio/app/style.css): ink, muted text, rules, panels, blue.
const C = {
  fg: '#1d232b',
  muted: '#66707c',
  line: '#d9dee4',
  edge: '#8a939e',
  panel: '#f4f6f8',
  plainStroke: '#9aa3ad',
  gatedFill: '#e8f0fe',
  gatedStroke: '#5b8fd6',
  gatedInk: '#0b6bcb',
  residualFill: '#eaf5e7',
  residualStroke: '#7bb36f',
  residualInk: '#2f7a23',
  insertedFill: '#fff6e8',
  insertedStroke: '#c98a2b',
  insertedInk: '#a15c00',
  frame: '#b4bcc6',
};
const FONT = `system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, 'DejaVu Sans', sans-serif`;

// Geometry, in px.
const MARGIN = 20;
const HEADER = 58;
const MIN_BOX_W = 300;
const PAD_X = 12;
const LINE1 = 13; // the layer's kind and settings
const LINE2 = 11; // details: gates, parameters, shapes
const BOX_H = [30, 46, 60];
const GAP = 36; // between two boxes: the edge and its shape
const FRAME_PAD = 40; // a group's frame around its body (room for the carry paths and their labels)
const FRAME_TOP = 20;
const FRAME_BOTTOM = 16;
const OUT_H = 26;
/** Longest heading drawn; a longer one ends in an ellipsis. */
const MAX_TITLE = 120;

const num = thousands;

/**
 * Text as SVG character data or an attribute value: markup characters escaped, and the
 * characters XML 1.0 cannot hold at all (controls, lone surrogates) replaced, so any name
 * or title gives a well-formed document.
 */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * An estimate of a text's width: the drawing cannot measure it (no DOM in a worker), so
 * each character counts 0.62 em, about the widest of the usual sans-serif faces' average
 * (DejaVu Sans, which resvg falls back on, is wide).
 */
const textWidth = (s: string, size: number, bold = false) => [...s].length * size * (bold ? 0.66 : 0.62);

/** The box of one layer: its look and its text. */
interface BoxText {
  head: string;
  /** Right-aligned on the first line: the parameter count. */
  params: string;
  details: string[];
  style: 'input' | 'plain' | 'weighted' | 'gated' | 'residual' | 'inserted' | 'elided';
}

function activationText(l: { activation: string }): string {
  return l.activation === 'linear' ? '' : ` ${l.activation}`;
}

/** What the spec adds after the kernel: ` stride=2`, ` padding=same` (a block's padding is always same). */
function windowText(l: { stride: [number, number]; padding: string }, keepsSize: boolean): string {
  const stride = l.stride[0] !== 1 || l.stride[1] !== 1 ? ` stride=${l.stride[0] === l.stride[1] ? l.stride[0] : l.stride.join('x')}` : '';
  const padding = !keepsSize && l.padding === 'same' ? ' padding=same' : '';
  return `${stride}${padding}`;
}

/** The layer's settings as the spec writes them: `conv 16 5x5 relu`, `highway dense 50 relu`. */
function head(l: Layer): string {
  switch (l.kind) {
    case 'input':
      return `input ${fmtShape(l.shape)}`;
    case 'dense':
      return `dense ${l.units}${activationText(l)}`;
    case 'conv':
      return `conv ${l.filters} ${l.kernel.join('x')}${activationText(l)}${windowText(l, false)}`;
    case 'highway_dense':
    case 'residual_dense':
      return `${l.kind === 'highway_dense' ? 'highway' : 'residual'} dense ${l.outShape[0]}${activationText(l)}`;
    case 'highway_conv':
    case 'residual_conv':
      return `${l.kind === 'highway_conv' ? 'highway' : 'residual'} conv ${l.outShape[2]} ${l.kernel.join('x')}${activationText(l)}${windowText(l, true)}`;
    default:
      return layerLabel(l);
  }
}

function boxText(l: Layer): BoxText {
  const params = l.params ? `${num(l.params)} params` : '';
  const text: BoxText = { head: head(l), params, details: [], style: 'plain' };
  if (l.kind === 'input') text.style = 'input';
  else if (l.inserted) {
    text.style = 'inserted';
    text.details.push(`inserted projection ${fmtShape(l.inShape)} → ${fmtShape(l.outShape)}`);
  } else if (isGated(l)) {
    text.style = 'gated';
    // H, the transform gate T with its bias, and the carry: 1 − T, or a gate C of its own
    const carry = l.carry === 'free' ? 'x·C (free carry gate)' : 'x·(1 − T)';
    text.details.push(`gated: y = H·T + ${carry}, T bias ${fmtBias(l.gateBias)}`);
  } else if (flagsOf(l).residual) {
    text.style = 'residual';
    text.details.push('skip: y = H(x) + x');
  } else if (flagsOf(l).weighted) text.style = 'weighted';
  return text;
}

/** A gate bias with a true minus sign, as the paper prints it. */
const fmtBias = (b: number) => (b < 0 ? `−${-b}` : String(b));

const boxHeight = (t: BoxText) => BOX_H[Math.min(t.details.length, BOX_H.length - 1)];

// ---------------------------------------------------------------------------
// Layout: every node measured, then drawn top to bottom.
// ---------------------------------------------------------------------------

/** A node with its size: a box (a layer, or the layers left out of a very long list), or a group's frame around its body. */
type Box = { type: 'box'; text: BoxText; h: number; params: number; outShape: Shape };
type Frame = { type: 'group'; count: number; body: Placed[]; h: number; nest: number; params: number };
type Placed = Box | Frame;

function measure(nodes: DiagramNode[]): Placed[] {
  return nodes.map((n): Placed => {
    if (n.type === 'layer') {
      const text = boxText(n.layer);
      return { type: 'box', text, h: boxHeight(text), params: n.layer.params, outShape: n.layer.outShape };
    }
    if (n.type === 'elided') {
      const text: BoxText = { head: `⋯ ${num(n.layers)} more layers, not drawn`, params: n.params ? `${num(n.params)} params` : '', details: [], style: 'elided' };
      return { type: 'box', text, h: boxHeight(text), params: n.params, outShape: n.outShape };
    }
    const body = measure(n.body);
    return {
      type: 'group',
      count: n.count,
      body,
      h: FRAME_TOP + stackHeight(body) + FRAME_BOTTOM,
      nest: 1 + body.reduce((m, b) => Math.max(m, b.type === 'group' ? b.nest : 0), 0),
      params: n.count * body.reduce((a, b) => a + b.params, 0),
    };
  });
}

const stackHeight = (items: Placed[]) => items.reduce((a, p) => a + p.h, 0) + GAP * Math.max(0, items.length - 1);
const outShape = (p: Placed): Shape => (p.type === 'box' ? p.outShape : outShape(p.body[p.body.length - 1]));
/** Where an edge enters a node (its first box's top) and leaves it (its last box's bottom), from the node's top. */
const entryY = (p: Placed): number => (p.type === 'box' ? 0 : FRAME_TOP + entryY(p.body[0]));
const exitFromTop = (p: Placed): number => (p.type === 'box' ? p.h : FRAME_TOP + stackHeight(p.body.slice(0, -1)) + (p.body.length > 1 ? GAP : 0) + exitFromTop(p.body[p.body.length - 1]));

const badgeText = (p: { count: number; params: number }) => ({ count: `× ${num(p.count)}`, params: p.params ? `${num(p.params)} params` : '' });

interface Canvas {
  cx: number;
  boxW: number;
  out: string[];
}

function text(x: number, y: number, s: string, attrs: string): string {
  return `<text x="${r(x)}" y="${r(y)}" ${attrs}>${escapeXml(s)}</text>`;
}
const r = (n: number) => String(Math.round(n * 10) / 10);

function arrow(c: Canvas, y0: number, y1: number, label: string, labelY: number): void {
  const x = c.cx;
  c.out.push(`<path d="M${r(x)} ${r(y0)}V${r(y1 - 6)}" stroke="${C.edge}" stroke-width="1.2" fill="none"/>`);
  c.out.push(`<path d="M${r(x - 4)} ${r(y1 - 7)}L${r(x + 4)} ${r(y1 - 7)}L${r(x)} ${r(y1)}Z" fill="${C.edge}"/>`);
  if (label) c.out.push(text(x + 8, labelY + 4, label, `font-size="${LINE2}" fill="${C.muted}" class="shape"`));
}

const STYLE: Record<BoxText['style'], { fill: string; stroke: string; ink: string; dash?: string; bold: boolean }> = {
  input: { fill: C.panel, stroke: C.fg, ink: C.fg, bold: true },
  plain: { fill: '#ffffff', stroke: C.line, ink: C.fg, bold: false },
  weighted: { fill: C.panel, stroke: C.plainStroke, ink: C.fg, bold: true },
  gated: { fill: C.gatedFill, stroke: C.gatedStroke, ink: C.gatedInk, bold: true },
  residual: { fill: C.residualFill, stroke: C.residualStroke, ink: C.residualInk, bold: true },
  inserted: { fill: C.insertedFill, stroke: C.insertedStroke, ink: C.insertedInk, dash: '5 3', bold: true },
  elided: { fill: '#ffffff', stroke: C.plainStroke, ink: C.muted, dash: '2 3', bold: false },
};

function drawBox(c: Canvas, p: Box, y: number): void {
  const x = c.cx - c.boxW / 2;
  const s = STYLE[p.text.style];
  // The carry path (highway) or skip (residual): around the box on its left, from the edge
  // above to the edge below, so the block reads as a gated or additive bypass of H.
  if (p.text.style === 'gated' || p.text.style === 'residual') {
    const bx = x - 16;
    c.out.push(
      `<path d="M${r(c.cx)} ${r(y - 12)}H${r(bx + 4)}Q${r(bx)} ${r(y - 12)} ${r(bx)} ${r(y - 8)}V${r(y + p.h + 8)}Q${r(bx)} ${r(y + p.h + 12)} ${r(bx + 4)} ${r(y + p.h + 12)}H${r(c.cx - 5)}" stroke="${s.stroke}" stroke-width="1.3" fill="none"/>`,
    );
    c.out.push(`<circle cx="${r(c.cx)}" cy="${r(y + p.h + 12)}" r="3" fill="${s.stroke}"/>`);
    const label = p.text.style === 'gated' ? 'carry' : 'skip';
    const ly = y + p.h / 2;
    c.out.push(text(bx - 4, ly, label, `font-size="10" fill="${s.ink}" text-anchor="middle" transform="rotate(-90 ${r(bx - 4)} ${r(ly)})"`));
  }
  c.out.push(`<rect x="${r(x)}" y="${r(y)}" width="${r(c.boxW)}" height="${p.h}" rx="6" fill="${s.fill}" stroke="${s.stroke}" stroke-width="1.2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
  const y1 = y + (p.text.details.length ? 19 : p.h / 2 + 4.5);
  c.out.push(text(x + PAD_X, y1, p.text.head, `font-size="${LINE1}" fill="${p.text.style === 'plain' ? C.fg : s.ink}"${s.bold ? ' font-weight="600"' : ''}`));
  if (p.text.params) c.out.push(text(x + c.boxW - PAD_X, y1, p.text.params, `font-size="${LINE2}" fill="${C.muted}" text-anchor="end"`));
  p.text.details.forEach((d, i) => c.out.push(text(x + PAD_X, y1 + 16 + i * 14, d, `font-size="${LINE2}" fill="${p.text.style === 'gated' || p.text.style === 'inserted' ? s.ink : C.muted}"`)));
}

function drawGroup(c: Canvas, p: Frame, y: number): void {
  const half = c.boxW / 2 + FRAME_PAD * p.nest - 6;
  const x0 = c.cx - half;
  c.out.push(`<rect x="${r(x0)}" y="${r(y)}" width="${r(2 * half)}" height="${r(p.h)}" rx="10" fill="none" stroke="${C.frame}" stroke-width="1.2" stroke-dasharray="6 4"/>`);
  drawStack(c, p.body, y + FRAME_TOP);
  // the badge: "× N" and what the N copies weigh, on the frame's top right
  const b = badgeText(p);
  const w = textWidth(b.count, 12, true) + (b.params ? 8 + textWidth(b.params, LINE2) : 0) + 16;
  const bx = c.cx + half - 12 - w;
  c.out.push(`<rect x="${r(bx)}" y="${r(y - 10)}" width="${r(w)}" height="20" rx="10" fill="#ffffff" stroke="${C.frame}" stroke-width="1.2"/>`);
  c.out.push(
    `<text x="${r(bx + 8)}" y="${r(y + 4)}" font-size="12"><tspan font-weight="700" fill="${C.fg}">${escapeXml(b.count)}</tspan>${b.params ? `<tspan dx="8" font-size="${LINE2}" fill="${C.muted}">${escapeXml(b.params)}</tspan>` : ''}</text>`,
  );
}

/** A column of nodes from `y` down, joined by edges labelled with the shape that flows along each. */
function drawStack(c: Canvas, items: Placed[], y: number): void {
  items.forEach((p, i) => {
    if (i > 0) {
      const prev = items[i - 1];
      const top = y - GAP - prev.h;
      arrow(c, top + exitFromTop(prev), y + entryY(p), fmtShape(outShape(prev)), y - GAP / 2);
    }
    if (p.type === 'box') drawBox(c, p, y);
    else drawGroup(c, p, y);
    y += p.h + GAP;
  });
}

/** The network as a standalone SVG document (UTF-8, no external references, no ids: it can be inlined beside others). */
export function renderNetworkSvg(ir: NetworkIR, opts: DiagramOptions = {}): string {
  const items = measure(diagramNodes(ir.layers));
  const all = (ps: Placed[]): Placed[] => ps.flatMap((p) => (p.type === 'box' ? [p] : [p, ...all(p.body)]));
  const every = all(items);
  // reduces, not spreads: a spec written out layer by layer has 100,000 boxes
  const nest = every.reduce((m, p) => Math.max(m, p.type === 'group' ? p.nest : 0), 0);

  // The boxes share one width: the widest text, and room for each badge right of the edges.
  let boxW = MIN_BOX_W;
  for (const p of every) {
    if (p.type === 'box') {
      const t = p.text;
      boxW = Math.max(boxW, PAD_X + textWidth(t.head, LINE1, true) + 24 + textWidth(t.params, LINE2) + PAD_X, ...t.details.map((d) => 2 * PAD_X + textWidth(d, LINE2)));
    } else {
      const b = badgeText(p);
      const w = textWidth(b.count, 12, true) + (b.params ? 8 + textWidth(b.params, LINE2) : 0) + 16;
      // the badge ends 12 px inside the frame's right side and starts right of the edge through the frame's top
      boxW = Math.max(boxW, 2 * (w + 12 + 10 - FRAME_PAD * p.nest + 6));
    }
  }
  boxW = Math.ceil(boxW);

  const raw = opts.title ?? ir.network.name;
  const title = [...raw].length > MAX_TITLE ? [...raw].slice(0, MAX_TITLE - 1).join('') + '…' : raw;
  const params = ir.layers.reduce((a, l) => a + l.params, 0);
  const weighted = ir.layers.filter((l) => flagsOf(l).weighted).length;
  const highway = ir.layers.filter((l) => flagsOf(l).gated).length;
  const residual = ir.layers.filter((l) => flagsOf(l).residual).length;
  const inserted = ir.layers.filter((l) => l.inserted).length;
  const counts = [highway && `${highway} highway`, residual && `${residual} residual`, inserted && `${inserted} inserted`].filter(Boolean).join(', ');
  const subtitle = `${num(params)} parameters · ${weighted} weighted layers${counts ? ` (${counts})` : ''}`;

  const contentW = boxW + 2 * FRAME_PAD * nest + 2 * 14; // the carry paths stand left of a box
  const width = Math.ceil(Math.max(contentW + 2 * MARGIN, 2 * MARGIN + textWidth(title, 15, true), 2 * MARGIN + textWidth(subtitle, LINE2)));
  const c: Canvas = { cx: width / 2, boxW, out: [] };
  const top = HEADER + (items.length && items[0].type === 'group' ? 12 : 0);
  drawStack(c, items, top);
  let bottom = top + stackHeight(items);

  // the output: an edge with the network's output shape, into a pill
  if (items.length) {
    const last = items[items.length - 1];
    const shape = fmtShape(outShape(last));
    const y0 = bottom - last.h + exitFromTop(last);
    arrow(c, y0, bottom + GAP, shape, bottom + GAP / 2);
    const label = `output ${shape}`;
    const w = Math.max(90, textWidth(label, LINE1, true) + 2 * PAD_X);
    c.out.push(`<rect x="${r(c.cx - w / 2)}" y="${r(bottom + GAP)}" width="${r(w)}" height="${OUT_H}" rx="${OUT_H / 2}" fill="${C.panel}" stroke="${C.fg}" stroke-width="1.2"/>`);
    c.out.push(text(c.cx, bottom + GAP + OUT_H / 2 + 4.5, label, `font-size="${LINE1}" font-weight="600" fill="${C.fg}" text-anchor="middle"`));
    bottom += GAP + OUT_H;
  }
  const height = Math.ceil(bottom + MARGIN);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" role="img" aria-label="${escapeXml(`network ${title}`)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(MARGIN, 28, title, `font-size="15" font-weight="700" fill="${C.fg}"`),
    text(MARGIN, 46, subtitle, `font-size="${LINE2}" fill="${C.muted}"`),
    ...c.out,
    '</svg>',
    '',
  ].join('\n');
}
