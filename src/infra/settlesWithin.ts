// Bounding a wait without abandoning its error: true when the promise settled within the time
// (a rejection is rethrown to the caller), false when the time ran out first. The losing promise
// keeps running; callers use this where they will stop waiting, not stop the work.
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
