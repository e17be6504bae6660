import type { Command } from 'commander';
import { CODE_BY_ID, CODES } from '../../diagnostics/codes.js';
import { UsageError } from '../errors.js';
import { hwyCommand } from '../io.js';
import { closest } from '../../language/suggest.js';
import { severityWord } from '../../diagnostics/render.js';

export function explainText(code: string): string {
  const c = CODE_BY_ID.get(code)!;
  const lines = [`${c.code} (${severityWord(c.severity)}): ${c.title}`, '', c.explanation, ''];
  if (c.example) lines.push('Example:', ...c.example.split('\n').map((l) => '    ' + l), '');
  lines.push(`Fix: ${c.fix}`);
  return lines.join('\n');
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('explain a diagnostic code: what it means and how to fix it')
    .argument('[code]', 'a code such as HWY3002 (or 3002); without one, list all codes')
    .action((raw: string | undefined) => {
      if (!raw) {
        for (const c of CODES) process.stdout.write(`${c.code}  ${severityWord(c.severity).padEnd(7)}  ${c.title}\n`);
        return;
      }
      const code = /^\d+$/.test(raw) ? `HWY${raw}` : raw.toUpperCase();
      if (!CODE_BY_ID.has(code)) {
        const near = closest(code, CODE_BY_ID.keys());
        throw new UsageError(`no diagnostic code '${raw}'${near ? `; did you mean ${near}?` : ''} (${hwyCommand('explain')} lists them all)`);
      }
      process.stdout.write(explainText(code) + '\n');
    });
}
