/** Ceilings that turn absurd specs into errors instead of out-of-memory crashes. */
export interface Limits {
  /** Layers after expanding every repeat. */
  maxLayers: number;
  /** Numbers in one example's activation at any layer. */
  maxElements: number;
  /** Parameters in the whole network. */
  maxParams: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxLayers: 200_000,
  maxElements: 2 ** 28,
  maxParams: 2 ** 33,
};
