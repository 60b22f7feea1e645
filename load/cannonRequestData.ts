// The data an Acta autocannon request template carries for its setupRequest hook. It travels inside
// the request object because autocannon hands worker threads only the (cloned) options.
import type autocannon from 'autocannon';

export interface ActaCannonData {
  kind: 'deposit' | 'balance';
  /** Path prefix of the API, e.g. `/api`. */
  pathPrefix: string;
  accountIds: string[];
  amount: number;
  currency: string;
  /** Unique per run; with the thread id and a counter it makes every key unique. */
  runId: string;
}

export type ActaCannonRequest = autocannon.Request & { acta: ActaCannonData };
