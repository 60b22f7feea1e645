// Owners in one process (in-memory storage): live from acquireOwner() until released or killed.
// There is no second process to outlive, so "dies" means released or kill()ed (tests use kill to
// stand for a crash); the adapters consult isLive() where the Postgres ones consult pg_locks.
import { randomUUID } from 'node:crypto';
import { Owner, OwnerSource } from '../../ports/ownerPresence';

export class MemoryOwners implements OwnerSource {
  private readonly live = new Map<string, () => void>();

  constructor(private readonly kind: string) {}

  async acquireOwner(): Promise<Owner> {
    const id = `${this.kind}-${randomUUID()}`;
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.live.set(id, end);
    return {
      id,
      isLive: () => this.live.has(id),
      ended,
      release: async () => this.kill(id),
    };
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** Ends an owner as its process's death would. */
  kill(id: string): void {
    const end = this.live.get(id);
    if (!end) return;
    this.live.delete(id);
    end();
  }
}
