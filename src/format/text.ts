import { format, type Options } from 'prettier';
import plugin from './plugin.js';

/**
 * Formats a spec with the Prettier plugin (the one `prettier --plugin` loads). Throws
 * HwySyntaxError on syntax errors. `options` are Prettier options such as a `.prettierrc`
 * gives (tabWidth, useTabs, endOfLine); the parser and plugins are always hwy's.
 *
 * On its own in this file, apart from the configuration look-ups of index.ts, because it is
 * all the language server needs: it then runs on Prettier's standalone build.
 */
export async function formatHwy(text: string, options: Options = {}): Promise<string> {
  return format(text, { filepath: 'spec.hwy', ...options, parser: 'hwy', plugins: [plugin] });
}
