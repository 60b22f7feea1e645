// Unfinished transfers in the in-memory store: a scan of the whole log (development and tests only),
// and their drivers in a map, with the Postgres adapter's rules: a driver counts while its owner
// lives (MemoryOwners), an ended owner takes nothing.
import { terminalTransferEventTypes } from '../../domain/transfer/transferEvents';
import { EventStore } from '../../ports/eventStore';
import { OpenTransferFinder } from '../../ports/openTransfers';
import { Owner } from '../../ports/ownerPresence';
import { MemoryOwners } from './memoryOwners';

const pageEventsMax = 10_000;

export class MemoryOpenTransfers implements OpenTransferFinder {
  /** Driver of each transfer that has one, by transfer id (in claim order). */
  private readonly drivers = new Map<string, string>();

  constructor(
    private readonly store: Pick<EventStore, 'readAll'>,
    readonly owners: MemoryOwners = new MemoryOwners('transfers'),
  ) {}

  acquireOwner(): Promise<Owner> {
    return this.owners.acquireOwner();
  }

  async openTransferIds(limit: number, owner?: string): Promise<string[]> {
    const open = new Map<string, string>();
    let after = '0';
    for (;;) {
      const page = await this.store.readAll(after, pageEventsMax);
      for (const event of page) {
        if (event.type === 'TransferRequested') open.set(event.streamId, String(event.data.transferId));
        if ((terminalTransferEventTypes as readonly string[]).includes(event.type)) open.delete(event.streamId);
      }
      if (page.length < pageEventsMax) break;
      after = page[page.length - 1]?.globalPosition ?? after;
    }
    const ids = [...open.values()];
    return (owner === undefined ? ids : ids.filter((transferId) => !this.drivenByAnother(transferId, owner))).slice(0, limit);
  }

  async orphanedTransferIds(limit: number): Promise<string[]> {
    return [...this.drivers.entries()]
      .filter(([, driver]) => !this.owners.isLive(driver))
      .map(([transferId]) => transferId)
      .slice(0, limit);
  }

  async claimTransfer(owner: string, transferId: string): Promise<boolean> {
    if (!this.owners.isLive(owner) || this.drivenByAnother(transferId, owner)) return false;
    this.drivers.delete(transferId);
    this.drivers.set(transferId, owner);
    return true;
  }

  async releaseTransfer(owner: string, transferId: string): Promise<void> {
    if (this.drivers.get(transferId) === owner) this.drivers.delete(transferId);
  }

  private drivenByAnother(transferId: string, owner: string): boolean {
    const driver = this.drivers.get(transferId);
    return driver !== undefined && driver !== owner && this.owners.isLive(driver);
  }
}
