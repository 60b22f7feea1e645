// Runs the outbox relay actor: provides its round (delete what earlier rounds published + claim →
// publish) and exposes wake(), stats() and stop() to the composition root.
//
// Rounds overlap: a round returns once its publishes are issued, and the next claim runs while the
// bus is still acknowledging (on the in-process bus: while the projector applies the batch), up to
// relayLimits.roundsInFlightMax rounds. The ids a round got acknowledged wait (bounded: the rows of
// roundsInFlightMax rounds) until the next claim deletes them in its own round trip; an
// acknowledgement wakes the relay so that claim comes at once. A round publishes the events of a
// stream an earlier round still has in flight only after that round was acknowledged (stream order
// across rounds). A refused publish surfaces as the next round's failure, which backs off.
//
// The relay claims under a lock-backed owner (src/ports/ownerPresence.ts) taken on its first round.
// When that owner ends (its connection dropped) the relay claims nothing more under it: the next
// round deletes what the old owner had published (if its rows are still its own), takes a new owner
// and goes on; meanwhile another relay may already have taken the old owner's rows.
import { createActor, fromPromise } from 'xstate';
import { RelayPublishError, RelayRound, StreamsInFlight, startRelayRound } from '../../src/app/relayOutbox';
import { Logger } from '../../src/infra/logger';
import { MessageBus } from '../../src/ports/messageBus';
import { Outbox } from '../../src/ports/outbox';
import { Owner } from '../../src/ports/ownerPresence';
import { outboxRelayMachine } from './outboxRelayMachine';
import { relayLimits } from '../../src/config/limits';

export interface OutboxRelay {
  wake(): void;
  stats(): { state: string; rounds: number; failures: number; published: number; owner: string };
  stop(): Promise<void>;
}

export function startOutboxRelay(options: { outbox: Outbox; bus: MessageBus; logger: Logger; leaseMs?: number }): OutboxRelay {
  let owner: Owner | null = null;
  let stopped = false;
  /** Acknowledged ids not deleted yet, of the current owner. */
  let published: string[] = [];
  /** Acknowledged ids of owners that ended, by owner id: deleted (if still theirs) before the next claim. */
  const publishedByEnded = new Map<string, string[]>();
  let publishedTotal = 0;
  /** A refused publish of a round in flight, thrown by the next round. */
  let refused: unknown = null;
  const inFlight = new Set<Promise<void>>();
  /** Streams of the rounds in flight: a later round publishes their events after them (relayOutbox.ts). */
  const streamsInFlight: StreamsInFlight = new Map();

  /** Acknowledged ids go to the owner that claimed them, which may have ended since. */
  const acknowledged = (claimedBy: Owner, ids: readonly string[]): void => {
    if (claimedBy === owner) published.push(...ids);
    else publishedByEnded.set(claimedBy.id, [...(publishedByEnded.get(claimedBy.id) ?? []), ...ids]);
  };

  const settle = (settled: Promise<RelayRound>, claimedBy: Owner): void => {
    const tracked: Promise<void> = settled
      .then(
        (round) => {
          acknowledged(claimedBy, round.publishedIds);
          publishedTotal += round.published;
        },
        (error: unknown) => {
          if (error instanceof RelayPublishError) {
            acknowledged(claimedBy, error.round.publishedIds);
            publishedTotal += error.round.published;
          }
          refused ??= error;
        },
      )
      .finally(() => {
        inFlight.delete(tracked);
        if (published.length > 0 || refused !== null) actor.send({ type: 'WAKE' });
      });
    inFlight.add(tracked);
  };

  /** Deletes what owners that ended had got acknowledged (late acknowledgements included), if still theirs. */
  const deleteEndedOwnersRows = async (): Promise<void> => {
    for (const [endedId, ids] of [...publishedByEnded]) {
      publishedByEnded.delete(endedId);
      try {
        await options.outbox.markPublished(endedId, ids);
      } catch (error) {
        // Those rows stay leased to an owner that has ended, so any relay (this one included)
        // claims and publishes them again: a duplicate, never a loss.
        options.logger.warn({ err: error, owner: endedId, rows: ids.length }, 'deleting rows an ended relay owner published failed; they will be published again');
      }
    }
  };

  /**
   * The owner to claim under: the current one while it lives, else a new one. What ended owners
   * had published is deleted first (a row another relay took meanwhile is not deleted: it is theirs).
   */
  const liveOwner = async (): Promise<Owner> => {
    if (owner && !owner.isLive()) {
      publishedByEnded.set(owner.id, [...(publishedByEnded.get(owner.id) ?? []), ...published]);
      published = [];
      owner = null;
    }
    await deleteEndedOwnersRows();
    if (owner) return owner;
    const fresh = await options.outbox.acquireOwner();
    if (stopped) {
      await fresh.release();
      throw new Error('the outbox relay stopped while it took an owner');
    }
    owner = fresh;
    void fresh.ended.then(() => {
      if (stopped || owner !== fresh) return;
      options.logger.warn({ owner: fresh.id }, 'outbox relay owner ended (its connection was lost); claiming under a new owner');
      actor.send({ type: 'WAKE' });
    });
    return fresh;
  };

  const machine = outboxRelayMachine.provide({
    actors: {
      relayRound: fromPromise<RelayRound>(async () => {
        try {
          while (inFlight.size >= relayLimits.roundsInFlightMax) await Promise.race(inFlight);
          if (refused !== null) {
            const error = refused;
            refused = null;
            throw error;
          }
          const current = await liveOwner();
          const deleting = published;
          published = [];
          let started;
          try {
            started = await startRelayRound(
              options.outbox,
              options.bus,
              {
                owner: current.id,
                eventsMax: relayLimits.eventsPerRoundMax,
                leaseMs: options.leaseMs ?? relayLimits.leaseMs,
                published: deleting,
              },
              streamsInFlight,
            );
          } catch (error) {
            published.unshift(...deleting);
            throw error;
          }
          settle(started.settled, current);
          return { claimed: started.claimed, published: 0, failed: 0, publishedEvents: [], publishedIds: [] };
        } catch (error) {
          options.logger.warn({ err: error }, 'outbox relay round failed; backing off');
          throw error;
        }
      }),
    },
  });
  const actor = createActor(machine);
  actor.start();
  return {
    wake: () => actor.send({ type: 'WAKE' }),
    stats: () => {
      const snapshot = actor.getSnapshot();
      const { rounds, failures } = snapshot.context;
      return { state: String(snapshot.value), rounds, failures, published: publishedTotal, owner: owner?.id ?? 'none' };
    },
    stop: async () => {
      // Let the rounds in flight finish (bounded) so their rows are deleted or released, not left leased.
      const deadline = Date.now() + relayLimits.backoffMaxMs;
      while ((actor.getSnapshot().matches('relaying') || inFlight.size > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      stopped = true;
      actor.send({ type: 'STOP' });
      actor.stop();
      await deleteEndedOwnersRows();
      const last = owner;
      if (!last) return;
      try {
        await options.outbox.markPublished(last.id, published);
        published = [];
      } catch (error) {
        // The rows stay leased to this owner, which ends below: another relay publishes them again.
        options.logger.warn({ err: error }, 'deleting the last published outbox rows failed');
      }
      // Ending the owner frees whatever it still holds for the next relay at once.
      await last.release();
    },
  };
}
