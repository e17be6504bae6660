import { describe, expect, it } from 'vitest';
import { parseSets } from '../../src/cli/io.js';

describe('--set parsing', () => {
  it('names that are properties of JavaScript objects are kept as given', () => {
    const s = parseSets(['__proto__=3', 'constructor=4', 'toString=5']);
    expect(Object.keys(s)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.hasOwn(s, '__proto__') && s['__proto__']).toBe(3);
    expect(Object.hasOwn(parseSets([]), 'constructor')).toBe(false);
  });
});
