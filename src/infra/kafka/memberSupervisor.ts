// Keeps one consumer-group member alive for the life of a subscription.
//
// kafkajs restarts a crashed consumer by itself only when it deems the error retriable. Some crashes
// it will not restart: KafkaJSGroupCoordinatorNotFound (the coordinator still loading after a broker
// restart, past kafkajs's own retries) and KafkaJSTimeout among them. Such a consumer stays stopped,
// and with it the projection, until the process restarts. The supervisor starts a new member in its
// place, with bounded exponential backoff, until one runs or the subscription is stopped.
import type { Subscription } from '../../ports/messageBus';
import type { Logger } from '../logger';

export interface GroupMember {
  assignments(): Array<{ topic: string; partition: number }>;
  stop(): Promise<void>;
}

/** Starts one member; it calls `gaveUp` (at most once matters) when its client will not restart it. */
export type StartMember = (gaveUp: (error: unknown) => void) => Promise<GroupMember>;

export interface MemberSupervisorOptions {
  log: Logger;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

/**
 * Starts the first member (rejecting if that fails, or if it gives up before its start resolved, so
 * the caller's own retry takes over) and then replaces every member that gives up. `stop()` cancels
 * a pending replacement and stops the current member, including one that was starting when stop was
 * called.
 */
export async function superviseMember(start: StartMember, options: MemberSupervisorOptions): Promise<Subscription> {
  const { log } = options;
  let current: GroupMember | null = null;
  let starting: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let backoffMs = options.backoffInitialMs;
  let stopping: Promise<void> | null = null;

  /**
   * Starts a member. One that gives up before its start resolved counts as a failed start: it is
   * stopped and the start rejects with its error, so no replacement is scheduled twice.
   */
  async function startOne(): Promise<GroupMember> {
    let started: GroupMember | null = null;
    const word = { spoken: false, early: false, error: undefined as unknown };
    const member = await start((error) => {
      // Only the first word of a member counts.
      if (word.spoken) return;
      word.spoken = true;
      if (started === null) {
        word.early = true;
        word.error = error;
        return;
      }
      if (current === started) current = null;
      replace(error, started);
    });
    if (word.early) {
      stopGivenUp(member);
      throw word.error;
    }
    started = member;
    return member;
  }

  function replace(error: unknown, dead: GroupMember): void {
    if (stopping !== null) return;
    log.error({ err: error, restartInMs: backoffMs }, 'consumer crashed and its client will not restart it; starting a new group member in its place');
    stopGivenUp(dead);
    schedule();
  }

  function stopGivenUp(member: GroupMember): void {
    member.stop().catch((stopError: unknown) => log.warn({ err: stopError }, 'could not stop a consumer that gave up'));
  }

  function schedule(): void {
    const delayMs = backoffMs;
    backoffMs = Math.min(backoffMs * 2, options.backoffMaxMs);
    timer = setTimeout(attemptReplacement, delayMs);
  }

  function attemptReplacement(): void {
    timer = undefined;
    starting = startOne()
      .then(
        (member) => {
          // If stop() was called meanwhile it waits for this promise and then stops `current`.
          current = member;
          backoffMs = options.backoffInitialMs;
          log.info('a new group member runs in place of the one that stopped');
        },
        (error: unknown) => {
          if (stopping !== null) {
            log.debug({ err: error }, 'a replacement member failed to start while the subscription stopped');
            return;
          }
          log.warn({ err: error, restartInMs: backoffMs }, 'could not start a new group member; trying again');
          schedule();
        },
      )
      .finally(() => {
        starting = null;
      });
  }

  current = await startOne();
  return {
    assignments: () => current?.assignments() ?? [],
    stop: () => {
      stopping ??= (async () => {
        clearTimeout(timer);
        await starting;
        const last = current;
        current = null;
        await last?.stop();
      })();
      return stopping;
    },
  };
}
