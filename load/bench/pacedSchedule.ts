// The schedule of an open-loop run at a fixed rate: request i is due at i ÷ rate seconds after the
// start, whatever the answers do. autocannon's overallRate is not that: it gives every connection a
// budget of rate ÷ connections requests per one-second window, which each connection spends back to
// back as answers come, so a "400/s" run is a burst at full concurrency at the top of every second
// and silence after it (its lib/httpClient.js, reqsMadeThisSecond).

/** How many of `total` requests are due `elapsedMs` after the start at `ratePerSec` (request 0 is due at once). */
export function requestsDue(elapsedMs: number, ratePerSec: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSec) / 1000) + 1);
}

/** When request `index` is due, in ms after the start. */
export function dueAtMs(index: number, ratePerSec: number): number {
  return (index * 1000) / ratePerSec;
}
