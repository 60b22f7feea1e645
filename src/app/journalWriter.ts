// The journal writer: group commit across actors. Appends from many account actors that arrive
// while a transaction is in flight wait and go together into the next one (as Akka's journal does),
// each stream still checked against its own expected version by the store, one stream's conflict
// never failing the others. With one transaction in flight, another starts only for a batch worth
// its fixed cost (limits.journalExtraTransactionAppendsMin appends); an idle journal writes at once.
import { limits } from '../config/limits';
import { AppendResult, EventStore, StreamAppend } from '../ports/eventStore';

interface Waiting {
  append: StreamAppend;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export class JournalOverloadedError extends Error {
  constructor() {
    super(`journal queue is full (${limits.journalQueueAppendsMax} appends waiting)`);
  }
}

export interface JournalStats {
  transactions: number;
  appends: number;
  lastBatchAppends: number;
  queued: number;
}

export class JournalWriter {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  private readonly counters = { transactions: 0, appends: 0, lastBatchAppends: 0 };

  constructor(
    private readonly store: Pick<EventStore, 'appendBatch'>,
    /** Transactions in flight at once; more appends wait and join the next batch. */
    private readonly concurrentTransactionsMax: number,
    private readonly onBatch: (appends: number, events: number, durationMs: number) => void = () => {},
    /** Appends that must wait before a transaction starts beside one already in flight. */
    private readonly extraTransactionAppendsMin: number = limits.journalExtraTransactionAppendsMin,
  ) {}

  append(append: StreamAppend): Promise<AppendResult> {
    if (this.queue.length >= limits.journalQueueAppendsMax) return Promise.reject(new JournalOverloadedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      this.pump();
    });
  }

  stats(): JournalStats {
    return { ...this.counters, queued: this.queue.length };
  }

  private pump(): void {
    while (this.inFlight < this.concurrentTransactionsMax && this.queue.length > 0) {
      if (this.inFlight > 0 && this.queue.length < this.extraTransactionAppendsMin) return;
      const batch = this.queue.splice(0, limits.journalBatchAppendsMax);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await this.store.appendBatch(batch.map((waiting) => waiting.append));
      this.counters.transactions += 1;
      this.counters.appends += batch.length;
      this.counters.lastBatchAppends = batch.length;
      const events = batch.reduce((sum, waiting) => sum + waiting.append.events.length, 0);
      this.onBatch(batch.length, events, performance.now() - started);
      batch.forEach((waiting, index) => waiting.resolve(results[index] as AppendResult));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
