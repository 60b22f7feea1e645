// Runs the outbox relay actor: provides its round (delete what earlier rounds published + claim →
// publish) and exposes wake(), stats() and stop() to the composition root.
//
// Rounds overlap: a round returns once its publishes are issued, and the next claim runs while the
// bus is still acknowledging (on the in-process bus: while the projector applies the batch), up to
// relayLimits.roundsInFlightMax rounds. The ids a round got acknowledged wait (bounded: the rows of
// roundsInFlightMax rounds) until the next claim deletes them in its own round trip; an
// acknowledgement wakes the relay so that claim comes at once. A refused publish surfaces as the
// next round's failure, which backs off.
import { randomUUID } from 'node:crypto';
import { createActor, fromPromise } from 'xstate';
import { RelayPublishError, RelayRound, startRelayRound } from '../../src/app/relayOutbox';
import { Logger } from '../../src/infra/logger';
import { MessageBus } from '../../src/ports/messageBus';
import { Outbox } from '../../src/ports/outbox';
import { outboxRelayMachine, relayLimits } from './outboxRelayMachine';

export interface OutboxRelay {
  wake(): void;
  stats(): { state: string; rounds: number; failures: number; published: number; owner: string };
  stop(): Promise<void>;
}

export function startOutboxRelay(options: { outbox: Outbox; bus: MessageBus; logger: Logger; leaseMs?: number }): OutboxRelay {
  const owner = `relay-${randomUUID()}`;
  /** Acknowledged ids not deleted yet. */
  let published: string[] = [];
  let publishedTotal = 0;
  /** A refused publish of a round in flight, thrown by the next round. */
  let refused: unknown = null;
  const inFlight = new Set<Promise<void>>();

  const settle = (settled: Promise<RelayRound>): void => {
    const tracked: Promise<void> = settled
      .then(
        (round) => {
          published.push(...round.publishedIds);
          publishedTotal += round.published;
        },
        (error: unknown) => {
          if (error instanceof RelayPublishError) {
            published.push(...error.round.publishedIds);
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
          const deleting = published;
          published = [];
          let started;
          try {
            started = await startRelayRound(options.outbox, options.bus, {
              owner,
              streamsMax: relayLimits.streamsPerRoundMax,
              leaseMs: options.leaseMs ?? relayLimits.leaseMs,
              published: deleting,
            });
          } catch (error) {
            published.unshift(...deleting);
            throw error;
          }
          settle(started.settled);
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
      return { state: String(snapshot.value), rounds, failures, published: publishedTotal, owner };
    },
    stop: async () => {
      // Let the rounds in flight finish (bounded) so their rows are deleted or released, not left leased.
      const deadline = Date.now() + relayLimits.backoffMaxMs;
      while ((actor.getSnapshot().matches('relaying') || inFlight.size > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      actor.send({ type: 'STOP' });
      actor.stop();
      try {
        await options.outbox.markPublished(owner, published);
        published = [];
      } catch (error) {
        // The rows stay leased; once the lease expires another relay publishes them again.
        options.logger.warn({ err: error }, 'deleting the last published outbox rows failed');
      }
    },
  };
}
