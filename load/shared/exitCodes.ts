// Process exit codes shared by the load CLIs, so scripts and CI can tell a failed run from a bad call.
export const exitCodes = {
  /** Unexpected failures within the threshold (or, for autocannon/bench, none at all). */
  passed: 0,
  /** The run completed but failed its threshold, or the tool itself crashed. */
  failed: 1,
  /** Bad flags, or the service was unreachable: no meaningful run happened. */
  usage: 2,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
