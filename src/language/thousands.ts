/**
 * A number with its thousands grouped as in English, 12,345,678: what
 * `n.toLocaleString('en-US')` prints, without it. The first use of Intl loads ICU's number
 * formatting, about 10 ms of a command's start-up, for a comma every three digits.
 */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = digits.slice(Math.max(0, end - 3), end) + (out ? ',' + out : '');
  return n < 0 || Object.is(n, -0) ? '-' + out : out;
}
