// The training progress bar's line, fitted to the terminal: a line longer than the terminal
// wraps (or is cut mid-field where wrapping is off) and each redraw then leaves a new line
// behind. The line is built from the values at every redraw, so a resized terminal gets a
// line of its new width at the next redraw.

export interface ProgressFields {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  /** Already formatted ('-' before the first step). */
  loss: string;
  acc: string;
  /** Samples a second, formatted. */
  sps: string;
  /** Time left in the epoch, formatted ('?' when unknown). */
  eta: string;
}

export interface BarChars {
  complete: string;
  incomplete: string;
}

const MIN_BAR = 10;
const MAX_BAR = 40;

type Field = 'steps' | 'acc' | 'eta' | 'sps';
/** Dropped in this order when the terminal is too narrow: the bar and the loss go last. */
const DROP_ORDER: Field[] = ['sps', 'eta', 'acc', 'steps'];

/**
 * The progress line for a terminal `columns` wide. It stays below the last column (writing
 * there moves some terminals' cursor to the next line), drops the least useful fields first
 * (samples/s, then the ETA, the accuracy, the step count), gives the bar what is left (10 to
 * 40 characters), then drops the bar, and past that cuts the line.
 */
export function progressLine(f: ProgressFields, columns: number, chars: BarChars = { complete: '█', incomplete: '░' }): string {
  const width = Math.max(1, Math.floor(columns) - 1);
  const progress = f.steps > 0 ? Math.min(1, Math.max(0, f.step / f.steps)) : 0;
  const text: Record<Field, string> = { steps: `${f.step}/${f.steps}`, acc: `acc ${f.acc}`, sps: `${f.sps} samples/s`, eta: `ETA ${f.eta}` };
  const kept = new Set<Field>(['steps', 'acc', 'sps', 'eta']);
  const compose = (bar: string | undefined) => {
    const head = [`epoch ${f.epoch}/${f.epochs}`, bar, kept.has('steps') ? text.steps : undefined].filter((x) => x !== undefined).join(' ');
    const tail = (['acc', 'sps', 'eta'] as const).filter((k) => kept.has(k)).map((k) => text[k]);
    return [head, `loss ${f.loss}`, ...tail].join(' | ');
  };
  const drawBar = (size: number) => {
    const done = Math.round(progress * size);
    return chars.complete.repeat(done) + chars.incomplete.repeat(size - done);
  };
  for (let i = 0; ; i++) {
    // the line without the bar's characters, then the bar takes what room is left
    const rest = compose('').length;
    if (rest + MIN_BAR <= width) return compose(drawBar(Math.min(MAX_BAR, width - rest)));
    if (i === DROP_ORDER.length) break;
    kept.delete(DROP_ORDER[i]);
  }
  const bare = compose(undefined);
  return bare.length <= width ? bare : bare.slice(0, width);
}
