// The refusal of a flag's value that is not one of its choices: the message each flag words
// itself, with "did you mean" when the value is a near miss (a typo), as for codes and names.
import { UsageError } from './errors.js';
import { didYouMean } from '../language/suggest.js';

/** `message`, and `; did you mean 'x'?` when `value` is close to one of `choices`. */
export function notAChoice(message: string, value: string, choices: Iterable<string>): UsageError {
  const hint = didYouMean(value, choices);
  return new UsageError(hint ? `${message}; ${hint}` : message);
}
