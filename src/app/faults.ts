// Fault injection for crash tests and operators' game days: when FAULT_KILL_AT names a point, the
// process kills itself with SIGKILL the first time it reaches it (no cleanup, like a power cut).
// Points are named `<process>.<step>.<moment>`, e.g. `transfer.credit.answered`.

export interface Faults {
  reached(point: string): void;
}

export const noFaults: Faults = { reached: () => {} };

export function killAt(point: string | undefined): Faults {
  if (!point) return noFaults;
  return {
    reached: (reachedPoint) => {
      if (reachedPoint === point) process.kill(process.pid, 'SIGKILL');
    },
  };
}
