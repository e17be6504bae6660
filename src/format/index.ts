import * as prettier from 'prettier';
import plugin from './plugin.js';

export { HwySyntaxError } from './plugin.js';

/**
 * Formats a spec with the Prettier plugin (the one `prettier --plugin` loads). Throws
 * HwySyntaxError on syntax errors. `options` are Prettier options such as a `.prettierrc`
 * gives (tabWidth, useTabs, endOfLine); the parser and plugins are always hwy's.
 */
export async function formatHwy(text: string, options: prettier.Options = {}): Promise<string> {
  return prettier.format(text, { filepath: 'spec.hwy', ...options, parser: 'hwy', plugins: [plugin] });
}

/**
 * The Prettier options in force for a file, found as `prettier` finds them (.prettierrc and
 * friends, .editorconfig, overrides for the file's path), so that `hwy fmt --check` and
 * `prettier --check` agree. Plugins and parser are left out: hwy's own are used.
 */
export async function prettierOptionsFor(path: string): Promise<prettier.Options> {
  const found = (await prettier.resolveConfig(path, { editorconfig: true })) ?? {};
  const { plugins: _plugins, parser: _parser, ...rest } = found;
  return { ...rest, filepath: path };
}

/**
 * Whether Prettier leaves a file alone: its CLI reads ignore patterns from .gitignore and
 * .prettierignore in the current directory by default, so hwy fmt does the same.
 */
export async function ignoredByPrettier(path: string): Promise<boolean> {
  const info = await prettier.getFileInfo(path, { ignorePath: ['.gitignore', '.prettierignore'] });
  return info.ignored;
}
