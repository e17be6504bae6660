// Shape arithmetic shared by the passes, the backends and the language server (all may import src/language/).

/** One example's shape: `[units]` for vectors, `[height, width, channels]` for feature maps. */
export type Shape = number[];

export const fmtShape = (s: Shape | null | undefined): string => (s ? s.join('x') : '?');

export const shapeSize = (s: Shape): number => s.reduce((a, b) => a * b, 1);

export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** What a shape rule says: the output shape (null: unknown after an error), an error, or the input a projection must produce. */
export type ShapeResult = { out: Shape | null; error?: { code: string; message: string; hint?: string }; project?: Shape };

/** Output size of a window sliding over `n` (convolution or pooling). */
export function windowOut(n: number, k: number, s: number, padding: 'valid' | 'same', round: 'floor' | 'ceil'): number {
  if (padding === 'same') return Math.ceil(n / s);
  if (round === 'floor') return Math.floor((n - k) / s) + 1;
  // Caffe's ceil mode (pad 0): round up, but the last window must start inside the input.
  let out = Math.ceil((n - k) / s) + 1;
  if ((out - 1) * s >= n) out--;
  return out;
}
