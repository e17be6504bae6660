/** Exit codes: 0 ok, 1 the spec has errors, 2 usage or I/O problems. */
export const EXIT_OK = 0;
export const EXIT_SPEC = 1;
export const EXIT_USAGE = 2;

/** A problem with how hwy was called or with the files it was given: one line, no stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
  }
}
