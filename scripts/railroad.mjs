// Writes grammar/railroad.html from the parser (npm run grammar). A test keeps it in sync.
import { writeFileSync } from 'node:fs';
import { railroadHtml } from '../dist/lib.js';

writeFileSync(new URL('../grammar/railroad.html', import.meta.url), railroadHtml());
console.log('wrote grammar/railroad.html');
