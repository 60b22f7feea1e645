// The account mailbox: arrival order, the bound, and turns that take part of a deep mailbox.
import { expect } from 'chai';
import { Mailbox, PendingCommand } from '../../actors/account/mailbox';
import { CommandRequest } from '../../src/app/commandRequest';

function pending(key: string): PendingCommand {
  const request = { idempotencyKey: key } as CommandRequest;
  return { request, reply: () => undefined };
}
const keys = (commands: PendingCommand[]) => commands.map((command) => command.request.idempotencyKey);

describe('account mailbox', () => {
  it('hands commands out in arrival order, split across turns by the turn bound', () => {
    const mailbox = new Mailbox(10);
    for (const key of ['a', 'b', 'c', 'd', 'e']) mailbox.push(pending(key));
    expect(keys(mailbox.take(2))).to.deep.equal(['a', 'b']);
    expect(mailbox.size).to.equal(3);
    mailbox.push(pending('f'));
    expect(keys(mailbox.take(10))).to.deep.equal(['c', 'd', 'e', 'f']);
    expect(mailbox.size).to.equal(0);
  });

  it('does not let a taken turn alias the commands queued after it', () => {
    const mailbox = new Mailbox(10);
    mailbox.push(pending('a'));
    const turn = mailbox.take(5);
    mailbox.push(pending('b'));
    expect(keys(turn)).to.deep.equal(['a']);
    expect(keys(mailbox.take(5))).to.deep.equal(['b']);
  });

  it('is full at exactly its bound and refuses to queue past it', () => {
    const mailbox = new Mailbox(3);
    mailbox.push(pending('a'));
    mailbox.push(pending('b'));
    expect(mailbox.isFull).to.equal(false);
    mailbox.push(pending('c'));
    expect(mailbox.isFull).to.equal(true);
    expect(() => mailbox.push(pending('d'))).to.throw(/mailbox is full/);
    mailbox.take(1);
    expect(mailbox.isFull).to.equal(false);
  });
});
