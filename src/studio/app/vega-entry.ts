// dist/studio/vega.js: vega-lite and vega for the figures of the studio (a metric against a
// setting, parallel coordinates, a sweep's saved figures), loaded by the page only when it
// first draws one: the runs table and the curves do without its size. The page's content
// security policy allows no eval: vega's expressions run through its interpreter.
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { expressionInterpreter } from 'vega-interpreter';

export interface Drawn {
  finalize(): void;
}

/** Draws a vega-lite spec into `el` (canvas; hover shows the values); the caller finalizes the view it replaces. */
export async function render(el: HTMLElement, spec: Record<string, unknown>): Promise<Drawn> {
  const { $schema: _, ...rest } = spec;
  const runtime = parse(compile(rest as never).spec, undefined, { ast: true });
  const view = new View(runtime, { expr: expressionInterpreter, renderer: 'canvas', container: el, hover: true });
  await view.runAsync();
  return view;
}

(globalThis as unknown as { hwyVega: unknown }).hwyVega = { render };
