/**
 * Training settings from the command line: `--set train.momentum=0.95`, `--set train.lr=0.1`,
 * `--set train.lr.schedule=cosine`, `--set data.normalize=gcn`. Each is read as the line the
 * spec would hold (`optimizer momentum=0.95`) and written into the spec's `train { }` section,
 * so that the checker that checks the spec checks it: a bad name or value is a diagnostic
 * whose file is the flag itself (`--set train.momentum=1.5`), which the command line reports
 * as a usage error naming the flag.
 */
import { Diagnostics, type Span } from '../diagnostics/types.js';
import { parse } from '../parser/index.js';
import type { Value } from '../parser/ast.js';
import { SETTING_BY_KIND, SETTINGS } from '../language/catalogue.js';
import { didYouMean } from '../language/suggest.js';
import type { ConstantValue, SourceIR, SrcBlock } from '../ir/types.js';

/**
 * `--set NAME=VALUE` must name a `let` of the spec: a misspelt `--set dpeth=50` would
 * otherwise build the default network and record the typo as if it had applied. Reported as
 * a bad training setting is, with the flag as the diagnostic's file, so every command that
 * compiles with --set (check, summary, compile, train, export, …) refuses it the same way.
 * Returns the names no `let` defines.
 */
export function checkConstantOverrides(src: SourceIR, overrides: Record<string, ConstantValue>, diags: Diagnostics): string[] {
  const known = src.lets.map((l) => l.name);
  const unknown = Object.keys(overrides).filter((k) => !known.includes(k));
  for (const name of unknown) {
    const at: Span = { file: `--set ${name}=${overrides[name]}`, start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } };
    const near = didYouMean(name, known);
    diags.error('HWY2004', at, `'${src.file}' defines no constant '${name}'${near ? `; ${near}` : known.length ? ` (it defines ${known.join(', ')})` : ' (it defines none)'}`);
  }
  return unknown;
}

/** A `--set` of a training setting, as written: path `train.momentum`, value text `0.95`. */
export interface SettingOverride {
  path: string;
  value: string;
}

/** `--set PATH=VALUE`: the flag as a person typed it, which messages name. */
export const settingFlag = (s: SettingOverride) => `--set ${s.path}=${s.value}`;

/** Is a `--set` name a training setting rather than a `let` constant? */
export const isSettingPath = (name: string) => /^(train|data)\./.test(name);

/** The setting and attribute a path names, or why it names none. */
export function resolveSettingPath(path: string): { kind: string; attr: string } | { error: string } {
  const parts = path.split('.');
  const [root, a, b] = parts;
  let found: { kind: string; attr: string } | undefined;
  if (root === 'data' && parts.length === 2) {
    found = SETTING_BY_KIND.get('data')!.attrs.some((x) => x.name === a) ? { kind: 'data', attr: a } : undefined;
  } else if (root === 'train' && parts.length === 2) {
    const setting = SETTING_BY_KIND.get(a);
    if (setting) found = { kind: a, attr: setting.positional[0] };
    else {
      // a setting's attribute by its own name, where only one setting has it: train.momentum
      const owners = SETTINGS.filter((s) => !s.positional.includes(a) && s.attrs.some((x) => x.name === a));
      if (owners.length === 1) found = { kind: owners[0].kind, attr: a };
    }
  } else if (root === 'train' && parts.length === 3) {
    const setting = SETTING_BY_KIND.get(a);
    if (setting?.attrs.some((x) => x.name === b)) found = { kind: a, attr: b };
  }
  if (found) return found;
  return { error: `there is no training setting '${path}'${hintFor(path)}` };
}

/** Every path a setting can be given by, for suggestions and `hwy train --help`. */
export function settingPaths(): string[] {
  const out: string[] = [];
  for (const s of SETTINGS) {
    out.push(`train.${s.kind}`);
    for (const a of s.attrs) if (!s.positional.includes(a.name)) out.push(`train.${s.kind}.${a.name}`);
  }
  for (const a of SETTING_BY_KIND.get('data')!.attrs) out.push(`data.${a.name}`);
  const owners = new Map<string, number>();
  for (const s of SETTINGS) for (const a of s.attrs) if (!s.positional.includes(a.name)) owners.set(a.name, (owners.get(a.name) ?? 0) + 1);
  for (const [a, n] of owners) if (n === 1 && !SETTING_BY_KIND.has(a)) out.push(`train.${a}`);
  return out;
}

function hintFor(path: string): string {
  const near = didYouMean(path, settingPaths());
  return near ? `; ${near}` : ` (settings: train.SETTING or train.SETTING.ATTRIBUTE as in the train section, such as train.lr, train.optimizer.momentum, data.normalize)`;
}

/** One override read: its setting, attribute and value, with spans in the flag's own text. */
interface ReadOverride {
  flag: string;
  kind: string;
  attr: string;
  value: Value;
  span: Span;
}

/** Reads the value as the spec's line would hold it; problems are reported against the flag. */
function readOverride(o: SettingOverride, diags: Diagnostics): ReadOverride | undefined {
  const flag = settingFlag(o);
  const at: Span = { file: flag, start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } };
  const where = resolveSettingPath(o.path);
  if ('error' in where) {
    diags.error('HWY2011', at, where.error);
    return undefined;
  }
  if (/[\n\r{}#]/.test(o.value)) {
    diags.error('HWY2003', at, `'${o.value}' is not a value`, 'a number, a name, a "string" or a [list]');
    return undefined;
  }
  const local = new Diagnostics();
  const text = `train {\n  ${where.kind} ${where.attr}=${o.value}\n}\n`;
  const ast = parse(text, flag, local);
  const item = ast.items[0];
  const stmt = item?.type === 'train' && item.body.length === 1 ? item.body[0] : undefined;
  const attr = stmt?.type === 'block' && stmt.args.length === 0 && stmt.attrs.length === 1 ? stmt.attrs[0] : undefined;
  if (local.hasErrors() || !attr || ast.items.length !== 1) {
    const first = local.items.find((d) => d.severity === 'error');
    diags.error('HWY2003', at, `'${o.value}' is not a value${first ? `: ${first.message}` : ''}`, 'a number, a name, a "string" or a [list]');
    return undefined;
  }
  return { flag, kind: where.kind, attr: where.attr, value: attr.value, span: attr.value.span };
}

/** The bare name a value is (`adam`), if it is one. */
function bareName(v: Value | undefined): string | undefined {
  return v?.type === 'dims' && v.items.length === 1 && v.items[0].type === 'ref' ? v.items[0].name : undefined;
}

/**
 * Writes command-line settings into the source's train section (made if the spec has none):
 * each replaces the attribute it names, or adds its setting's line. Naming another optimizer
 * drops the attributes the spec gave the old one, which belong to it. The same setting
 * twice is an error, not "the last one wins".
 */
export function applySettingOverrides(src: SourceIR, overrides: SettingOverride[], diags: Diagnostics): void {
  const read: ReadOverride[] = [];
  const seen = new Map<string, string>();
  for (const o of overrides) {
    const r = readOverride(o, diags);
    if (!r) continue;
    const key = `${r.kind}.${r.attr}`;
    const prev = seen.get(key);
    if (prev) {
      diags.error('HWY2007', r.span, `${r.kind === 'data' ? 'data' : 'train'} setting '${key}' is given twice (also by ${prev})`, 'give each setting once');
      continue;
    }
    seen.set(key, r.flag);
    read.push(r);
  }
  if (!read.length) return;
  const train = (src.train ??= { span: read[0].span, settings: [] });
  // names first: an optimizer named on the command line takes the attributes given with it
  const ordered = [...read.filter((r) => r.attr === 'name'), ...read.filter((r) => r.attr !== 'name')];
  for (const r of ordered) {
    const i = train.settings.findIndex((b) => b.kind === r.kind);
    const block: SrcBlock = i >= 0 ? { ...train.settings[i], attrs: { ...train.settings[i].attrs } } : { type: 'block', kind: r.kind, attrs: {}, span: r.span, kindSpan: r.span };
    if (r.kind === 'optimizer' && r.attr === 'name' && (bareName(block.attrs.name?.value) ?? 'sgd') !== bareName(r.value)) block.attrs = {};
    block.attrs[r.attr] = { value: r.value, span: r.span };
    if (i >= 0) train.settings[i] = block;
    else train.settings.push(block);
  }
}
