// A small seeded PRNG (mulberry32) so a run's choices can be replayed from the seed it prints.
// Math.random cannot be seeded; quality here only needs to be good enough for picking operations.

export type Random = () => number;

/** Returns a generator of floats in [0, 1) fully determined by `seed` (taken as 32 bits). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each worker gets its own stream so one worker's draws do not depend on another's timing. */
export function deriveSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
}

/** A uniform integer in [min, max], both inclusive. */
export function randomIntInclusive(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
