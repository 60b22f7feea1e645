import { expect } from 'chai';
import { TestDatabase, createTestDatabase } from '../support/database';
import { postgresLimits } from '../../src/config/limits';

describe('createPool', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(async () => {
    await db.drop();
  });

  it('keeps int8 as a decimal string, beyond 2^53 too', async () => {
    const { rows } = await db.pool.query<{ big: unknown; small: unknown }>('select 9007199254740993::int8 as big, 7::int8 as small');
    expect(rows[0]).to.deep.equal({ big: '9007199254740993', small: '7' });
  });

  it('bounds statements and idle transactions on the server, and names the application', async () => {
    const setting = async (name: string) =>
      (await db.pool.query<{ value: string }>('select current_setting($1) as value', [name])).rows[0]?.value;
    expect(await setting('statement_timeout')).to.equal(`${postgresLimits.statementTimeoutMs / 1000}s`);
    expect(await setting('idle_in_transaction_session_timeout')).to.equal(`${postgresLimits.idleInTransactionSessionTimeoutMs / 60_000}min`);
    expect(await setting('application_name')).to.equal('acta-test');
  });
});
