// The member supervisor: a consumer kafkajs will not restart is replaced by a new group member, with
// backoff, until one runs or the subscription stops. Fake members and fake timers; the real broker
// restart is covered by test/relay/outboxRelay.test.ts.
import { expect } from 'chai';
import sinon from 'sinon';
import { createLogger } from '../../src/infra/logger';
import { superviseMember, type GroupMember, type StartMember } from '../../src/infra/kafka/memberSupervisor';

const options = { log: createLogger('silent'), backoffInitialMs: 100, backoffMaxMs: 400 };

interface FakeMember extends GroupMember {
  name: string;
  stopped: number;
  giveUp(error?: Error): void;
}

/** A start function whose members are numbered; `failures` makes the next N starts reject. */
function fakeStarts() {
  const members: FakeMember[] = [];
  let failures = 0;
  let giveUpDuringStart = false;
  let gate: Promise<void> | null = null;
  const start: StartMember = async (gaveUp) => {
    if (gate !== null) await gate;
    if (failures > 0) {
      failures--;
      throw new Error('broker unreachable');
    }
    const member: FakeMember = {
      name: `member-${members.length + 1}`,
      stopped: 0,
      assignments: () => [{ topic: 't', partition: members.indexOf(member) }],
      stop: async () => {
        member.stopped++;
      },
      giveUp: (error = new Error('KafkaJSGroupCoordinatorNotFound')) => gaveUp(error),
    };
    members.push(member);
    if (giveUpDuringStart) {
      giveUpDuringStart = false;
      member.giveUp();
    }
    return member;
  };
  return {
    start,
    members,
    failNext: (count: number) => {
      failures = count;
    },
    giveUpDuringNextStart: () => {
      giveUpDuringStart = true;
    },
    /** Holds every later start until the returned function is called. */
    holdStarts: () => {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = null;
        open();
      };
    },
  };
}

describe('kafka: member supervisor', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => clock.restore());

  it('rejects when the first member cannot start, so a bad subscription fails at once', async () => {
    const starts = fakeStarts();
    starts.failNext(1);
    await superviseMember(starts.start, options).then(
      () => expect.fail('subscribe resolved'),
      (error: Error) => expect(error.message).to.equal('broker unreachable'),
    );
    await clock.tickAsync(10_000);
    expect(starts.members).to.have.length(0);
  });

  it('starts a new member after the backoff when the current one gives up, and reports its assignments', async () => {
    const starts = fakeStarts();
    const subscription = await superviseMember(starts.start, options);
    expect(subscription.assignments()).to.deep.equal([{ topic: 't', partition: 0 }]);

    starts.members[0]!.giveUp();
    expect(subscription.assignments(), 'nothing is consumed between the members').to.deep.equal([]);
    expect(starts.members[0]!.stopped).to.equal(1);
    await clock.tickAsync(99);
    expect(starts.members).to.have.length(1);
    await clock.tickAsync(1);
    expect(starts.members).to.have.length(2);
    expect(subscription.assignments()).to.deep.equal([{ topic: 't', partition: 1 }]);
  });

  it('keeps trying with doubling backoff, bounded, while starts fail, and starts again from the first backoff after one runs', async () => {
    const starts = fakeStarts();
    const subscription = await superviseMember(starts.start, options);
    starts.failNext(3);
    starts.members[0]!.giveUp();
    // Attempts at 100, 100+200, 300+400 fail; the fourth, 400 later (the bound), runs.
    await clock.tickAsync(700);
    expect(starts.members).to.have.length(1);
    await clock.tickAsync(399);
    expect(starts.members).to.have.length(1);
    await clock.tickAsync(1);
    expect(starts.members).to.have.length(2);

    starts.members[1]!.giveUp();
    await clock.tickAsync(100);
    expect(starts.members, 'backoff reset after a member ran').to.have.length(3);
    await subscription.stop();
  });

  it('ignores a second word from a member that already gave up', async () => {
    const starts = fakeStarts();
    await superviseMember(starts.start, options);
    starts.members[0]!.giveUp();
    starts.members[0]!.giveUp();
    await clock.tickAsync(10_000);
    expect(starts.members).to.have.length(2);
  });

  it('fails the subscription when its first member gives up before its start resolved, and stops that member', async () => {
    const starts = fakeStarts();
    starts.giveUpDuringNextStart();
    await superviseMember(starts.start, options).then(
      () => expect.fail('subscribe resolved'),
      (error: Error) => expect(error.message).to.equal('KafkaJSGroupCoordinatorNotFound'),
    );
    await clock.tickAsync(0);
    expect(starts.members[0]!.stopped).to.equal(1);
    await clock.tickAsync(10_000);
    expect(starts.members, 'nothing is started for a subscription that failed').to.have.length(1);
  });

  it('counts a replacement that gives up before its start resolved as a failed start: stopped, retried once after the backoff', async () => {
    const starts = fakeStarts();
    const subscription = await superviseMember(starts.start, options);
    starts.giveUpDuringNextStart();
    starts.members[0]!.giveUp();
    await clock.tickAsync(100);
    expect(starts.members).to.have.length(2);
    expect(starts.members[1]!.stopped).to.equal(1);
    expect(subscription.assignments()).to.deep.equal([]);
    // The next attempt comes 200 ms later (doubled), and only one.
    await clock.tickAsync(199);
    expect(starts.members).to.have.length(2);
    await clock.tickAsync(1);
    expect(starts.members).to.have.length(3);
    expect(subscription.assignments()).to.deep.equal([{ topic: 't', partition: 2 }]);
    await clock.tickAsync(10_000);
    expect(starts.members).to.have.length(3);
  });

  it('starts nothing after stop(), even with a replacement pending, and stops the current member once', async () => {
    const starts = fakeStarts();
    const subscription = await superviseMember(starts.start, options);
    starts.members[0]!.giveUp();
    await subscription.stop();
    await clock.tickAsync(10_000);
    expect(starts.members).to.have.length(1);

    const second = fakeStarts();
    const running = await superviseMember(second.start, options);
    await Promise.all([running.stop(), running.stop()]);
    second.members[0]!.giveUp();
    await clock.tickAsync(10_000);
    expect(second.members).to.have.length(1);
    expect(second.members[0]!.stopped).to.equal(1);
  });

  it('stops a replacement that was starting when stop() was called, and stop() waits for it', async () => {
    const starts = fakeStarts();
    const subscription = await superviseMember(starts.start, options);
    const release = starts.holdStarts();
    starts.members[0]!.giveUp();
    await clock.tickAsync(100);
    let stopped = false;
    const stopping = subscription.stop().then(() => (stopped = true));
    await clock.tickAsync(0);
    expect(stopped, 'stop waits for the start in flight').to.equal(false);
    release();
    await stopping;
    expect(starts.members).to.have.length(2);
    expect(starts.members[1]!.stopped).to.equal(1);
    expect(subscription.assignments()).to.deep.equal([]);
  });
});
