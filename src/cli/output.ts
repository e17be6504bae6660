// How commands print data for scripts: `--format json` writes one JSON value on standard output,
// and messages and progress stay on standard error, so `hwy … --format json | jq` always parses.
// Human text remains the default.
import { Option } from 'commander';
import { notAChoice } from './choice.js';

export type OutputFormat = 'text' | 'json';

function parseFormat(v: string): OutputFormat {
  if (v !== 'text' && v !== 'json') throw notAChoice(`--format must be text or json, not '${v}'`, v, ['text', 'json']);
  return v;
}

/** The `--format text|json` option every command that prints data takes. */
export function formatOption(): Option {
  return new Option('--format <format>', 'text, or json: one JSON value on standard output (messages stay on standard error)').default('text').argParser(parseFormat);
}

/**
 * A value as the JSON hwy prints. JSON has no NaN or Infinity: they become null, as
 * JSON.stringify writes them, and a field that can be infinite says so beside it.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function writeJson(value: unknown): void {
  process.stdout.write(toJson(value) + '\n');
}
