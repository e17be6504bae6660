// The few DOM helpers the page's modules share. Every text from a run goes in as text, never as markup.
export const $ = <T extends Element>(sel: string) => document.querySelector(sel) as T;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { text?: string; className?: string } = {}, children: Node[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.text !== undefined) e.textContent = props.text;
  if (props.className) e.className = props.className;
  for (const c of children) e.append(c);
  return e;
}

/** A number for a cell: four significant digits, exponent notation outside [1e-3, 1e4). */
export const fmt = (x: number | null | undefined, digits = 4) => (typeof x === 'number' && Number.isFinite(x) ? (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(+x.toPrecision(digits))) : '');
