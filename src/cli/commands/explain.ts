import type { Command } from 'commander';
import { CODE_BY_ID, CODES, type CodeInfo } from '../../diagnostics/codes.js';
import { UsageError } from '../errors.js';
import { hwyCommand } from '../io.js';
import { closest } from '../../language/suggest.js';
import { severityWord } from '../../diagnostics/render.js';
import { formatOption, writeJson, type OutputFormat } from '../output.js';

export function explainText(code: string): string {
  const c = CODE_BY_ID.get(code)!;
  const lines = [`${c.code} (${severityWord(c.severity)}): ${c.title}`, '', c.explanation, ''];
  if (c.example) lines.push('Example:', ...c.example.split('\n').map((l) => '    ' + l), '');
  lines.push(`Fix: ${c.fix}`);
  return lines.join('\n');
}

/** A code as `--format json` prints it: the texts of `hwy explain CODE`; the severity as `check --format json` names it. */
function codeJson(c: CodeInfo) {
  return { code: c.code, severity: c.severity, title: c.title, explanation: c.explanation, example: c.example ?? null, fix: c.fix };
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('explain a diagnostic code: what it means and how to fix it')
    .argument('[code]', 'a code such as HWY3002 (or 3002); without one, list all codes')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  npx hwy explain HWY3002\n  npx hwy explain --format json   every code with its texts, for tools')
    .action((raw: string | undefined, opts: { format: OutputFormat }) => {
      if (!raw) {
        if (opts.format === 'json') writeJson(CODES.map(codeJson));
        else for (const c of CODES) process.stdout.write(`${c.code}  ${severityWord(c.severity).padEnd(7)}  ${c.title}\n`);
        return;
      }
      const code = /^\d+$/.test(raw) ? `HWY${raw}` : raw.toUpperCase();
      if (!CODE_BY_ID.has(code)) {
        const near = closest(code, CODE_BY_ID.keys());
        throw new UsageError(`no diagnostic code '${raw}'${near ? `; did you mean ${near}?` : ''} (${hwyCommand('explain')} lists them all)`);
      }
      if (opts.format === 'json') writeJson(codeJson(CODE_BY_ID.get(code)!));
      else process.stdout.write(explainText(code) + '\n');
    });
}
