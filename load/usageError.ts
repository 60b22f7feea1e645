// A bad command line: the CLIs print its message and the usage text, then exit 2.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
