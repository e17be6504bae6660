import * as prettier from 'prettier';

export { HwySyntaxError } from './plugin.js';
export { formatHwy } from './text.js';

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
