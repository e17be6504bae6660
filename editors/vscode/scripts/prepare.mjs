// Copies the grammar and language configuration from the repository's grammar/ folder,
// their one source, into the extension.
import { copyFileSync, mkdirSync } from 'node:fs';

const here = new URL('..', import.meta.url);
const grammar = new URL('../../grammar/', here);
mkdirSync(new URL('syntaxes/', here), { recursive: true });
copyFileSync(new URL('hwy.tmLanguage.json', grammar), new URL('syntaxes/hwy.tmLanguage.json', here));
copyFileSync(new URL('language-configuration.json', grammar), new URL('language-configuration.json', here));
console.log('copied the grammar into editors/vscode');
