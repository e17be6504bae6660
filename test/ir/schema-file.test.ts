import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { IR_SCHEMA } from '../../src/ir/schema.js';
import { IR_SCHEMA_ID } from '../../src/ir/types.js';
import { irFromJson } from '../../src/ir/serialize.js';
import { LAYER_KINDS } from '../../src/language/kinds.js';
import { RUN_RECORD_SCHEMA, TRAIN_STATE_SCHEMA } from '../../src/run/records.js';
import { ROOT, hwy } from '../helpers.js';

// schema/ir-v1.json is the file the package ships (the build writes it, test/global-setup.ts builds).
const shipped = () => JSON.parse(readFileSync(join(ROOT, 'schema/ir-v1.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('the shipped IR schema (schema/ir-v1.json)', () => {
  it('is the schema the checker uses, and is in the package', () => {
    expect(shipped()).toEqual(JSON.parse(JSON.stringify(IR_SCHEMA)));
    expect(pkg.files).toContain('schema');
    expect(pkg.exports['./schema/*.json']).toBe('./schema/*.json');
  });
  it("has the project's own $id, where the package serves the file", () => {
    const schema = shipped();
    expect(schema.$id).toBe(IR_SCHEMA_ID);
    expect(schema.$id).toBe(`https://unpkg.com/${pkg.name}/schema/ir-v1.json`);
  });
  it('names its parts in $defs, one a layer kind, each with a description', () => {
    const schema = shipped();
    for (const kind of LAYER_KINDS) expect(schema.$defs[`${kind}Layer`]?.description, kind).toMatch(/\w/);
    expect(schema.$defs.layer.oneOf).toHaveLength(LAYER_KINDS.length);
    for (const [name, def] of Object.entries(schema.$defs)) expect((def as { description?: string }).description, name).toMatch(/\w/);
    expect(schema.description).toMatch(/\w/);
  });
  it("the run records' schemas ship too, with the project's $ids", () => {
    for (const [file, schema] of [['run-v1.json', RUN_RECORD_SCHEMA], ['state-v1.json', TRAIN_STATE_SCHEMA]] as const) {
      const text = JSON.parse(readFileSync(join(ROOT, 'schema', file), 'utf8'));
      expect(text).toEqual(JSON.parse(JSON.stringify(schema)));
      expect(text.$id).toBe(`https://unpkg.com/${pkg.name}/schema/${file}`);
      expect(text.description).toMatch(/\w/);
    }
  });
  it('validates what hwy compile writes, $schema included, and refuses a damaged copy (a fresh ajv, the file alone)', () => {
    const validate = new Ajv2020({ strict: true, discriminator: true }).compile(shipped());
    for (const spec of ['specs/paper/mnist-conv-highway.hwy', 'specs/paper/mlp-highway.hwy', 'specs/examples/small-conv.hwy']) {
      const r = hwy(['compile', spec, '--emit', 'ir']);
      expect(r.code, r.stderr).toBe(0);
      const ir = JSON.parse(r.stdout);
      expect(ir.$schema).toBe(IR_SCHEMA_ID);
      expect(validate(ir), JSON.stringify(validate.errors)).toBe(true);
      // hwy reads it back too, and the network has no $schema of its own
      const back = irFromJson(r.stdout);
      expect(back.ok && '$schema' in back.ir).toBe(false);
      const bad = structuredClone(ir);
      bad.layers[1].outShape = [0];
      expect(validate(bad)).toBe(false);
      expect(validate({ ...ir, $schema: 3 })).toBe(false);
    }
  });
});
