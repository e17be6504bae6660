import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import fc from 'fast-check';
import { Resvg } from '@resvg/resvg-js';
import { compile } from '../../src/core/compile.js';
import { fmtShape } from '../../src/language/shape.js';
import type { Layer, NetworkIR } from '../../src/ir/types.js';
import { renderNetworkSvg } from '../../src/diagram/svg.js';
import { diagramNodes, signature, type DiagramNode } from '../../src/diagram/structure.js';
import { ROOT, checkedIr, compileText, golden, specFiles } from '../helpers.js';

const irOf = (file: string, overrides?: Record<string, number>): NetworkIR => checkedIr(compile(readFileSync(join(ROOT, file), 'utf8'), file, { overrides }));

/** Parses the SVG as resvg does (it throws on malformed XML: unescaped markup, bad entities, control characters, duplicate attributes). */
function parse(svg: string): Resvg {
  return new Resvg(svg, { font: { loadSystemFonts: false } });
}

/** The shapes written on the edges, decoded. */
const edgeShapes = (svg: string) => new Set([...svg.matchAll(/class="shape">([^<]*)</g)].map((m) => m[1]));
/** How many layer boxes the drawing has (one <rect> with rx="6" a box). */
const boxCount = (svg: string) => (svg.match(/<rect [^>]*rx="6"/g) ?? []).length;

/** The layers the nodes stand for, groups expanded. */
function expand(nodes: DiagramNode[]): DiagramNode[] {
  return nodes.flatMap((n) => (n.type === 'layer' ? [n] : Array.from({ length: n.count }, () => expand(n.body)).flat()));
}
const layerNodes = (layers: Layer[]): DiagramNode[] => layers.map((layer) => ({ type: 'layer', layer }));

describe('renderNetworkSvg: every spec', () => {
  for (const file of specFiles()) {
    it(`${file}: well-formed, every layer's output shape on an edge, repeats folded`, () => {
      const ir = irOf(file);
      const svg = renderNetworkSvg(ir);
      const doc = parse(svg);
      expect(doc.width).toBeGreaterThan(200);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/);
      const shapes = edgeShapes(svg);
      for (const l of ir.layers) expect(shapes, `${l.name}: ${fmtShape(l.outShape)}`).toContain(fmtShape(l.outShape));
      // the folded drawing stands for exactly the network's layers, in order
      expect(signature(expand(diagramNodes(ir.layers)))).toBe(signature(layerNodes(ir.layers)));
      expect(boxCount(svg)).toBeLessThanOrEqual(ir.layers.length);
    });
  }

  it('a highway block shows its gates, its gate bias and its carry; a repeat is one framed "× N" group', () => {
    const svg = renderNetworkSvg(irOf('specs/paper/mnist-conv-highway.hwy'));
    expect(svg).toContain('highway conv 16 3x3 relu');
    expect(svg).toContain('gated: y = H·T + x·(1 − T), T bias −1');
    expect(svg).toContain('>carry<');
    expect(svg).toContain('conv 16 5x5 relu<');
    expect(svg).toContain('4,640 params');
    // repeat 2 and two repeat 3: three frames, one box each
    expect([...svg.matchAll(/font-weight="700" fill="#1d232b">× (\d+)</g)].map((m) => m[1])).toEqual(['2', '3', '3']);
    expect(svg.match(/highway conv 16 3x3 relu/g)).toHaveLength(3);
    expect(svg).toContain('9,280 params'); // 2 x 4,640 on the badge
  });

  it('a box writes the layer as the spec does: units or filters, kernel, activation, stride and padding', () => {
    const svg = renderNetworkSvg(checkedIr(compileText('network t {\n  input 16x16x3\n  conv 8 3x3 relu stride=2 padding=same\n  residual conv 3x3 tanh\n  avgpool 2\n  flatten\n  dense 10\n}\n')));
    expect(svg).toContain('>conv 8 3x3 relu stride=2 padding=same<');
    expect(svg).toContain('>residual conv 8 3x3 tanh<');
    expect(svg).toContain('>avgpool 2x2/2x2<');
    expect(svg).toContain('>dense 10<'); // linear: no activation written
    expect(svg).toContain('>output 10<');
  });

  it('a free carry gate is drawn as one', () => {
    const svg = renderNetworkSvg(irOf('specs/examples/small-conv.hwy'));
    expect(svg).toContain('gated: y = H·T + x·C (free carry gate), T bias −1');
    expect(svg).toContain('gated: y = H·T + x·(1 − T), T bias −1'); // the coupled blocks before it
  });

  it('an inserted projection is marked and stands before the repeat it feeds', () => {
    const ir = irOf('specs/examples/skip-baselines.hwy');
    const nodes = diagramNodes(ir.layers);
    expect(nodes.map((n) => (n.type === 'layer' ? n.layer.name : `${n.count}x[${n.body.map((b) => (b.type === 'layer' ? b.layer.kind : 'group')).join()}]`))).toEqual([
      'input_1',
      'flatten_1',
      'projection_1',
      '8x[highway_dense]',
      '8x[residual_dense]',
      'dense_1',
    ]);
    const svg = renderNetworkSvg(ir);
    expect(svg).toContain('inserted projection 784 → 64');
    expect(svg).toMatch(/stroke-dasharray="5 3"/); // the inserted box is dashed
    expect(svg).toContain('skip: y = H(x) + x');
  });

  it('a repeat whose iterations differ (a projection inside) folds only the identical ones', () => {
    const ir = checkedIr(compileText('network t {\n  input 16\n  repeat 4 {\n    highway dense 32 relu\n    dense 8 relu\n  }\n}\n'));
    const nodes = diagramNodes(ir.layers);
    expect(signature(expand(nodes))).toBe(signature(layerNodes(ir.layers)));
    // every iteration opens with a projection (8 -> 32 or 16 -> 32): iterations 2-4 are one group
    const groups = nodes.filter((n) => n.type === 'group');
    expect(groups.map((g) => g.count)).toEqual([3]);
  });

  it('layers written out one by one fold as a repeat does', () => {
    const ir = checkedIr(compileText('network t {\n  input 8\n  highway dense relu\n  highway dense relu\n  highway dense relu\n  dense 2\n}\n'));
    const nodes = diagramNodes(ir.layers);
    expect(nodes.map((n) => n.type)).toEqual(['layer', 'group', 'layer']);
    expect(nodes[1].type === 'group' && nodes[1].count).toBe(3);
  });

  it('nested repeats are nested frames', () => {
    const ir = checkedIr(compileText('network t {\n  input 8\n  repeat 3 {\n    dense 8 relu\n    repeat 2 {\n      highway dense relu\n    }\n  }\n}\n'));
    const nodes = diagramNodes(ir.layers);
    expect(nodes).toHaveLength(2);
    const outer = nodes[1];
    expect(outer.type === 'group' && outer.count).toBe(3);
    expect(outer.type === 'group' && outer.body.map((b) => (b.type === 'group' ? `x${b.count}` : b.layer.kind))).toEqual(['dense', 'x2']);
    const svg = renderNetworkSvg(ir);
    parse(svg);
    expect(boxCount(svg)).toBe(3);
  });
});

describe('renderNetworkSvg: size', () => {
  it('a 100-layer spec draws as a 10-layer one: the repeat is folded, the byte size does not grow with depth', () => {
    const sizes = [10, 100, 1000].map((depth) => renderNetworkSvg(irOf('specs/paper/mlp-highway.hwy', { depth })).length);
    expect(sizes[0]).toBeLessThan(6000);
    // only numbers' digits differ ("× 9" / "× 99" / "× 999", the parameter totals, a badge's width)
    expect(Math.abs(sizes[1] - sizes[0])).toBeLessThan(64);
    expect(Math.abs(sizes[2] - sizes[1])).toBeLessThan(64);
    const svg = renderNetworkSvg(irOf('specs/paper/mlp-highway.hwy', { depth: 100 }));
    expect(svg).toContain('>× 99<');
    expect(boxCount(svg)).toBe(5); // input, flatten, dense, one highway box, dense
  });
});

describe('renderNetworkSvg: text is escaped', () => {
  const ir = irOf('specs/examples/tiny-mlp.hwy');
  const plain = renderNetworkSvg(ir);
  const elements = (svg: string) => (svg.match(/<[a-z]/g) ?? []).length;

  it('a title of markup, entities and quotes stays text', () => {
    const title = `</text><script>alert("x")</script> & 'q' <rect/> &amp; ]]>`;
    const svg = renderNetworkSvg(ir, { title });
    parse(svg);
    expect(svg).not.toContain('<script');
    expect(elements(svg)).toBe(elements(plain)); // no element was added
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;q&apos; &lt;rect/&gt; &amp;amp; ]]&gt;');
  });

  it('a network name with any characters (an IR read from a file) stays text, in the title and the aria label', () => {
    const svg = renderNetworkSvg({ ...ir, network: { ...ir.network, name: `a"b'c<d>&e\u0001\u0000\uD800` } });
    parse(svg);
    expect(elements(svg)).toBe(elements(plain));
    expect(svg).toContain('aria-label="network a&quot;b&apos;c&lt;d&gt;&amp;e\uFFFD\uFFFD\uFFFD"');
  });

  it('a very long title ends in an ellipsis', () => {
    const svg = renderNetworkSvg(ir, { title: 'x'.repeat(10_000) });
    expect(svg.length).toBeLessThan(plain.length + 500);
    expect(svg).toContain('x'.repeat(119) + '…');
  });
});

describe('renderNetworkSvg: generated networks (property)', () => {
  const act = fc.constantFrom('relu', 'tanh', 'sigmoid', 'linear');
  const units = fc.constantFrom(4, 8, 16);
  const vectorBlock: fc.Arbitrary<string> = fc.oneof(
    fc.tuple(units, act).map(([u, a]) => `dense ${u} ${a}`),
    fc.tuple(fc.option(units), act, fc.integer({ min: -5, max: 0 }), fc.constantFrom('coupled', 'free')).map(([u, a, b, c]) => `highway dense ${u ?? ''} ${a} gate_bias=${b} carry=${c}`),
    act.map((a) => `residual dense ${a}`),
    fc.constantFrom('dropout 0.5', 'relu', 'softmax'),
  );
  const body = (depth: number): fc.Arbitrary<string[]> =>
    fc.array(
      depth > 0 ? fc.oneof({ weight: 3, arbitrary: vectorBlock.map((b) => [b]) }, { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 5 }), body(depth - 1)).map(([n, b]) => [`repeat ${n} {`, ...b, '}']) }) : vectorBlock.map((b) => [b]),
      { minLength: 1, maxLength: 4 },
    ).map((xs) => xs.flat());
  const convHead = fc.array(fc.constantFrom('conv 4 3x3 relu padding=same', 'highway conv 3x3 relu', 'highway conv 8 1x1 tanh carry=free', 'maxpool 2'), { maxLength: 3 });
  const spec = fc.tuple(fc.boolean(), convHead, body(2)).map(([maps, head, b]) => ['network g {', maps ? 'input 8x8x2' : 'input 6', ...(maps ? [...head, 'flatten'] : []), ...b, '}'].join('\n'));

  it('any small network: well-formed, every output shape on an edge, the folded drawing is the network, at most a box a layer', () => {
    fc.assert(
      fc.property(spec, (text) => {
        const r = compileText(text);
        if (!r.ok || !r.ir) throw new Error(`generated spec did not compile: ${r.diagnostics.map((d) => d.message).join('; ')}\n${text}`);
        const ir = r.ir;
        const svg = renderNetworkSvg(ir);
        parse(svg);
        const shapes = edgeShapes(svg);
        for (const l of ir.layers) expect(shapes).toContain(fmtShape(l.outShape));
        expect(signature(expand(diagramNodes(ir.layers)))).toBe(signature(layerNodes(ir.layers)));
        expect(boxCount(svg)).toBeLessThanOrEqual(ir.layers.length);
      }),
      { numRuns: 80, seed: 7 },
    );
  });
});

describe('src/diagram runs in a browser worker', () => {
  it('imports no Node module, all the way down', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const f of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
        const name = f.fileName;
        if (name.startsWith('node:') || builtinModules.includes(name.split('/')[0])) bad.push(`${relative(ROOT, file)} imports ${name}`);
        // packages (chevrotain's types) run in browsers too; only our own files are followed
        else if (name.startsWith('.')) walk(resolve(dirname(file), f.fileName.replace(/\.js$/, '.ts')));
      }
    };
    walk(join(ROOT, 'src/diagram/svg.ts'));
    expect(seen.size).toBeGreaterThan(3);
    expect(bad).toEqual([]);
  });
});

describe('golden', () => {
  it('specs/paper/mnist-conv-highway.hwy', () => {
    golden('diagram/mnist-conv-highway.svg', renderNetworkSvg(irOf('specs/paper/mnist-conv-highway.hwy')));
  });
});
