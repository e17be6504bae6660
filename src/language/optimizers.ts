/**
 * The optimizers a `train { optimizer … }` line names: their attributes and defaults in one
 * table, so that the checker, the engines, `--print-config` and the reference agree. Each
 * optimizer takes only its own attributes (`beta1` on an sgd line is an error, not ignored).
 *
 * The update rules (both engines compute exactly these; tests hold them to it):
 * - sgd: v = momentum·v + g; p -= lr·v (Nesterov: p -= lr·(g + momentum·v)), as PyTorch's SGD.
 * - adam: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; p -= lr·(m/(1-β1^t)) / (√(v/(1-β2^t)) + ε),
 *   as PyTorch's Adam (ε outside the root, after the bias correction).
 * - adamw: kernels first shrink, k *= 1 - lr·weight_decay (decoupled, as PyTorch's AdamW), then
 *   the adam step. Biases (the gate biases among them) are not decayed, as `weight_decay` decays
 *   kernels only: a negative gate bias is what keeps a deep highway network trainable.
 * - rmsprop: s = ρ·s + (1-ρ)·g²; u = momentum·u + lr·g/√(s + ε); p -= u, as Keras's and tfjs's
 *   RMSprop (ε under the root, the rate inside the momentum term; PyTorch's puts ε outside
 *   the root and the rate outside, so the torch engine implements this rule itself).
 */

export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface SgdConfig {
  name: 'sgd';
  momentum: number;
  nesterov: boolean;
}
export interface AdamConfig {
  name: 'adam';
  beta1: number;
  beta2: number;
  epsilon: number;
}
export interface AdamWConfig {
  name: 'adamw';
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}
export interface RmspropConfig {
  name: 'rmsprop';
  rho: number;
  momentum: number;
  epsilon: number;
}
export type OptimizerConfig = SgdConfig | AdamConfig | AdamWConfig | RmspropConfig;

/** Each optimizer's settings with their defaults (IR field names; the language writes weight_decay for weightDecay). */
export const OPTIMIZER_DEFAULTS: { readonly [N in OptimizerName]: Readonly<Extract<OptimizerConfig, { name: N }>> } = {
  sgd: { name: 'sgd', momentum: 0.9, nesterov: false },
  // PyTorch's defaults (its update rule, too)
  adam: { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  adamw: { name: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
  // Keras's defaults (its update rule, too)
  rmsprop: { name: 'rmsprop', rho: 0.9, momentum: 0, epsilon: 1e-7 },
};

/** The attributes (as the language writes them) an optimizer takes besides its name. */
export function optimizerAttrs(name: OptimizerName): string[] {
  return Object.keys(OPTIMIZER_DEFAULTS[name])
    .filter((k) => k !== 'name')
    .map((k) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()));
}

/** A fresh optimizer config with its defaults. */
export function optimizerDefaults(name: OptimizerName): OptimizerConfig {
  return { ...OPTIMIZER_DEFAULTS[name] };
}

/** Optimizer slots a weight carries (for memory estimates): sgd 1 with momentum, adam(w) 2, rmsprop 2 (tfjs keeps its momentum slot even at 0). */
export function optimizerSlots(o: OptimizerConfig): number {
  switch (o.name) {
    case 'sgd':
      return o.momentum > 0 ? 1 : 0;
    case 'adam':
    case 'adamw':
    case 'rmsprop':
      return 2;
  }
}

/** An optimizer as the language writes it, every setting spelt out: `adam beta1=0.9 beta2=0.999 epsilon=1e-8`. */
export function optimizerText(o: OptimizerConfig): string {
  const fields = o as unknown as Record<string, number | boolean | string>;
  return [o.name, ...optimizerAttrs(o.name).map((a) => `${a}=${fields[a.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())]}`)].join(' ');
}
