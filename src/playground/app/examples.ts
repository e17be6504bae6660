// The specs the page offers, with the paper's networks first: their text is put in by the
// site's build (scripts/build-site.mjs) from specs/, so that the page ships what hwy ships.
declare const __HWY_EXAMPLES__: { name: string; text: string }[];
export const EXAMPLES: { name: string; text: string }[] = __HWY_EXAMPLES__;
