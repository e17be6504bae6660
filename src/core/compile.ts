import { Diagnostics, type Diagnostic } from '../diagnostics/types.js';
import { parse } from '../parser/index.js';
import type { FileAst } from '../parser/ast.js';
import { checkOverrideKinds, lower } from '../lower/lower.js';
import { applySettingOverrides, checkConstantOverrides, type SettingOverride } from '../lower/settings.js';

export { isSettingPath, resolveSettingPath, settingFlag, settingPaths, type SettingOverride } from '../lower/settings.js';
import type { ConstantValue, DraftNetworkIR, NetworkIR, SourceIR } from '../ir/types.js';
import { DEFAULT_LIMITS, runPasses, toChecked, type Limits } from '../passes/index.js';
import { measureSpec, specSizeProblem, type SpecSize } from '../passes/limits.js';

export interface CompileOptions {
  /** Overrides of `let` constants (`--set depth=50`, `--set act=tanh`). */
  overrides?: Record<string, ConstantValue>;
  /** Training settings from the command line (`--set train.momentum=0.95`): checked as the spec's own; problems name the flag as their file. */
  settings?: SettingOverride[];
  limits?: Partial<Limits>;
  /**
   * Overrides that name no `let` are ignored rather than an error: only for reading a run
   * recorded before hwy refused them, whose network was built without them (its ir.json says so).
   */
  ignoreUnknownOverrides?: boolean;
  /**
   * The text already parsed (`parseSpec`): a sweep compiles one network at many values,
   * and parsing is most of a compile. Used only when its text and file are these.
   */
  parsed?: ParsedSpec;
}

/** A spec's syntax tree and the diagnostics of reading it, to compile it again at other values. */
export interface ParsedSpec {
  readonly text: string;
  readonly file: string;
  readonly ast: FileAst;
  readonly diagnostics: readonly Diagnostic[];
  /** The text's size, measured once for the limits that every compile of it checks. */
  readonly size: SpecSize;
}

/** Parses a spec once for `compile(…, { parsed })`; never throws (a failure leaves it to compile). */
export function parseSpec(text: string, file: string): ParsedSpec | undefined {
  try {
    const diags = new Diagnostics();
    const ast = parse(text, file, diags);
    // a spec past the limits is refused by compile before it parses: nothing to keep
    return diags.droppedCount() > 0 ? undefined : { text, file, ast, diagnostics: diags.items.slice(), size: measureSpec(text) };
  } catch {
    return undefined;
  }
}

interface CompileCommon {
  file: string;
  text: string;
  ast: FileAst;
  source: SourceIR;
  diagnostics: Diagnostic[];
  /** Names in `overrides` that no `let` defines. */
  unknownOverrides: string[];
}

/**
 * Without errors the IR is checked (every layer complete); with errors it is the passes'
 * draft, which the language server still reads. `ir` is null only when the spec could
 * not be read far enough to build one.
 */
export type CompileResult = CompileCommon & ({ ok: true; ir: NetworkIR | null } | { ok: false; ir: DraftNetworkIR | null });

/**
 * parse -> lower -> passes. The one entry point the CLI, the language server, the
 * formatter's checks and the tests share. It never throws: every problem is a
 * diagnostic (an internal failure becomes HWY9000 rather than a stack trace).
 */
export function compile(text: string, file: string, opts: CompileOptions = {}): CompileResult {
  const diags = new Diagnostics();
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const overrides = opts.overrides ?? {};
  let ast: FileAst = { file, items: [], comments: [] };
  let source: SourceIR = { file, lets: [], network: null, train: null };
  let draft: DraftNetworkIR | null = null;
  let ir: NetworkIR | null = null;
  let unknownOverrides: string[] = [];
  try {
    // Checked before parsing: the parser's memory grows with the text (see DEFAULT_LIMITS).
    const parsed = opts.parsed && opts.parsed.text === text && opts.parsed.file === file ? opts.parsed : undefined;
    const tooBig = specSizeProblem(parsed?.size ?? measureSpec(text), file, limits);
    if (tooBig) {
      const start = { line: 1, col: 1, offset: 0 };
      diags.error('HWY4004', { file, start, end: start }, tooBig, 'write repeated layers as `repeat N { … }`: real specs are a few KB');
      return finish();
    }
    if (parsed) {
      ast = parsed.ast;
      for (const d of parsed.diagnostics) diags.add({ ...d });
    } else {
      ast = parse(text, file, diags);
    }
    source = lower(ast, diags);
    if (opts.settings?.length) applySettingOverrides(source, opts.settings, diags);
    unknownOverrides = checkConstantOverrides(source, overrides, opts.ignoreUnknownOverrides ? new Diagnostics() : diags);
    checkOverrideKinds(ast, overrides, diags);
    const { network } = source;
    if (network) draft = runPasses({ ...source, network }, overrides, diags, limits);
    if (draft && !diags.hasErrors()) ir = toChecked(draft);
  } catch (e) {
    const start = { line: 1, col: 1, offset: 0 };
    diags.error('HWY9000', { file, start, end: start }, `internal error: ${(e as Error)?.message ?? String(e)}`, 'please report this with the spec that caused it');
  }
  return finish();

  function finish(): CompileResult {
    const diagnostics = diags.sorted();
    if (diags.droppedCount() > 0) {
      const last = diagnostics[diagnostics.length - 1]?.span ?? { file, start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } };
      diagnostics.push({ severity: 'info', code: 'HWY1004', message: `${diags.droppedSummary()} not shown`, span: last, hint: diags.errorCount() > 0 ? 'fix the first errors and check again' : 'the first ones show what to change' });
    }
    const common = { file, text, ast, source, diagnostics, unknownOverrides };
    return ir && !diagnostics.some((d) => d.severity === 'error') ? { ...common, ok: true, ir } : { ...common, ok: false, ir: draft };
  }
}
