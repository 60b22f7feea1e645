// Bounded latency sample store. Up to `capacity` samples are all kept; past that, reservoir
// sampling (Algorithm R) keeps a uniform random subset, so percentiles stay unbiased over the whole
// run instead of describing only its first minutes, and memory stays fixed however long the run is.
import { Random } from './prng';

export class Reservoir {
  private readonly samples: number[] = [];
  private seen = 0;

  constructor(
    private readonly capacity: number,
    private readonly random: Random,
  ) {}

  add(value: number): void {
    this.seen += 1;
    if (this.samples.length < this.capacity) {
      this.samples.push(value);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.samples[slot] = value;
  }

  /** Every sample offered, including those the reservoir dropped. */
  get offered(): number {
    return this.seen;
  }

  values(): readonly number[] {
    return this.samples;
  }
}
