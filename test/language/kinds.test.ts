import { describe, expect, it } from 'vitest';
import { BLOCKS, BLOCK_BY_KIND } from '../../src/language/catalogue.js';
import { KINDS, LAYER_KINDS, isGated, isReady, kindOfBlock, layerLabel } from '../../src/language/kinds.js';
import { toChecked } from '../../src/passes/index.js';
import type { DraftNetworkIR } from '../../src/ir/types.js';
import { checkedIr, compileText, layerAs, net } from '../helpers.js';

const camel = (attr: string) => attr.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
/** The keywords that write a kind: its own blocks, or the block its modifier goes on. */
const keywords = (k: (typeof LAYER_KINDS)[number]) => {
  const s = KINDS[k].syntax;
  return 'blocks' in s ? s.blocks.map((b) => b.kind) : [s.of];
};

describe('layer kind definitions (src/language/kinds.ts) against the language catalogue', () => {
  it('every block of the catalogue writes a layer kind, with the modifiers it accepts and no others', () => {
    for (const b of BLOCKS) {
      if (b.kind === 'expect' || b.kind === 'defaults') continue; // statements, not layers
      expect(kindOfBlock(b.kind), b.kind).toBeDefined();
      for (const m of ['highway', 'residual'] as const) expect(kindOfBlock(b.kind, m) !== undefined, `${m} ${b.kind}`).toBe(Boolean(b.gateable));
    }
  });
  it("every kind's keyword is a catalogue block, a modifier goes on a gateable one, and the kind's fields can all be written", () => {
    for (const k of LAYER_KINDS) {
      const s = KINDS[k].syntax;
      if (!('blocks' in s)) expect(BLOCK_BY_KIND.get(s.of)?.gateable, `${s.modifier} ${s.of}`).toBe(true);
      for (const kw of keywords(k)) {
        const spec = BLOCK_BY_KIND.get(kw);
        expect(spec, `${k}: keyword '${kw}'`).toBeDefined();
        const writable = new Set([...spec!.attrs.map((a) => camel(a.name)), ...Object.keys(KINDS[k].fromKeyword?.(kw) ?? {})]);
        expect(Object.keys(KINDS[k].fields).filter((f) => !writable.has(f)), `${k} fields not writable in '${kw}'`).toEqual([]);
      }
    }
  });
  it("the 'defaults' keys a kind takes are keys of the defaults line and fields of the kind", () => {
    const defaultsLine = new Set(BLOCK_BY_KIND.get('defaults')!.attrs.map((a) => a.name));
    for (const k of LAYER_KINDS) {
      for (const key of KINDS[k].takesDefaults) {
        expect(defaultsLine.has(key), `${k}: ${key}`).toBe(true);
        expect(Object.keys(KINDS[k].fields), `${k}: ${key}`).toContain(camel(key));
      }
    }
  });
  it('flags agree with fields: gated kinds have gates, weighted ones initialisers, pooling ones a rounding', () => {
    for (const k of LAYER_KINDS) {
      const { flags, fields } = KINDS[k];
      expect(flags.gated, k).toBe('gateBias' in fields);
      expect(flags.weighted, k).toBe('init' in fields);
      expect(flags.pooling, k).toBe('round' in fields);
      expect(flags.gated && flags.residual, k).toBe(false);
    }
  });
});

describe('draft and checked IR', () => {
  it('a clean spec gives checked IR: every layer complete, labelled with its settings', () => {
    const ir = checkedIr(compileText(net('conv 8 3x3 relu\nhighway conv\nmaxpool 3 stride=2 round=ceil\nflatten\ndense 10 softmax')));
    expect(ir.layers.every(isReady)).toBe(true);
    expect(ir.layers.map(layerLabel)).toEqual(['input', 'conv 3x3 relu', 'highway conv 3x3 relu', 'maxpool 3x3/2x2 ceil', 'flatten', 'dense softmax']);
    expect(ir.layers.filter(isGated).map((l) => l.gateBias)).toEqual([-1]);
  });
  it('a spec with an invalid value gives a draft: the layer lacks the field, is not ready, and is labelled by its kind alone', () => {
    const r = compileText(net('flatten\ndense x relu\ndense 10', '4'));
    expect(r.ok).toBe(false);
    const dense = layerAs(r.ir!.layers[2], 'dense');
    expect(dense.units).toBeUndefined();
    expect(isReady(dense)).toBe(false);
    expect(layerLabel(dense)).toBe('dense');
  });
  it('toChecked refuses a draft with an incomplete layer, naming it', () => {
    const ir = checkedIr(compileText(net('dense 3', '4')));
    const draft = structuredClone(ir) as DraftNetworkIR;
    delete (draft.layers[1] as { units?: number }).units;
    expect(() => toChecked(draft)).toThrow(/dense_1 \(dense\) is incomplete/);
    const unshaped = structuredClone(ir) as DraftNetworkIR;
    unshaped.layers[1].outShape = null;
    expect(() => toChecked(unshaped)).toThrow(/dense_1/);
    expect(toChecked(structuredClone(ir) as DraftNetworkIR).layers).toHaveLength(2);
  });
});
