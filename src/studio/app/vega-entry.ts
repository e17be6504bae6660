// dist/studio/vega.js: vega-lite and vega for the figures of the studio (a metric against a
// setting, parallel coordinates, a sweep's saved figures), loaded by the page only when it
// first draws one: the runs table and the curves do without its size. The page's content
// security policy allows no eval: vega's expressions run through its interpreter.
import { changeset, parse, View, type Loader, type Spec as VegaSpec } from 'vega';
import { compile } from 'vega-lite';
import { expressionInterpreter } from 'vega-interpreter';
import { Handler } from 'vega-tooltip';

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

/** Loads nothing: the specs carry their data inline, and a link in one is not followed. */
const noLoader = {
  load: () => Promise.reject(new Error('hwy studio loads no data from a chart')),
  sanitize: () => Promise.reject(new Error('hwy studio follows no link from a chart')),
  http: () => Promise.reject(new Error('hwy studio loads no data from a chart')),
  file: () => Promise.reject(new Error('hwy studio loads no data from a chart')),
} as unknown as Loader;

// one tooltip element for the page; its look is in style.css (an inline <style> is refused by the page's policy)
let tooltip: Handler | undefined;

/** Draws a vega spec (compiled on the server: a run's page) into `el`, its values in a tooltip on hover. */
export async function draw(el: HTMLElement, spec: unknown, renderer: 'svg' | 'canvas'): Promise<View> {
  tooltip ??= new Handler({ disableDefaultStyle: true, theme: 'light' });
  const view = new View(parse(spec as VegaSpec, undefined, { ast: true }), { expr: expressionInterpreter, renderer, container: el, hover: true, loader: noLoader, tooltip: tooltip.call });
  await view.runAsync();
  return view;
}

/** Replaces the values of a view's data set (a run's page's curves, as epochs come). */
export async function replaceValues(view: View, data: string, values: object[]): Promise<void> {
  await view.change(data, changeset().remove(() => true).insert(values)).runAsync();
}

(globalThis as unknown as { hwyVega: unknown }).hwyVega = { render, draw, replaceValues };
