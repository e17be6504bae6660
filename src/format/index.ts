import * as prettier from 'prettier';
import plugin from './plugin.js';

export { HwySyntaxError } from './plugin.js';

/** Formats a spec with the Prettier plugin (the one `prettier --plugin` loads). Throws HwySyntaxError on syntax errors. */
export async function formatHwy(text: string): Promise<string> {
  return prettier.format(text, { parser: 'hwy', plugins: [plugin], filepath: 'spec.hwy' });
}
