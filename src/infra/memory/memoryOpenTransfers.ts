// Unfinished transfers in the in-memory store: a scan of the whole log (development and tests only).
import { terminalTransferEventTypes } from '../../domain/transfer/transferEvents';
import { EventStore } from '../../ports/eventStore';
import { OpenTransferFinder } from '../../ports/openTransfers';

const pageEventsMax = 10_000;

export class MemoryOpenTransfers implements OpenTransferFinder {
  constructor(private readonly store: Pick<EventStore, 'readAll'>) {}

  async openTransferIds(limit: number): Promise<string[]> {
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
    return [...open.values()].slice(0, limit);
  }
}
