// The projector's one-round-trip write inlines values as literals (src/infra/postgres/
// inlineStatements.ts): every value must reach Postgres exactly as the parameterized statement
// would have sent it, whatever quotes, backslashes, braces or separators it holds.
import { expect } from 'chai';
import { inlineValues, StatementBatch } from '../../src/infra/postgres/connection/inlineStatements';
import { createTestDatabase, TestDatabase } from '../support/database';

const awkward = ["it's", 'back\\slash', 'quote"d', '{brace}', 'a,b', 'NULL', '', ' spaced ', 'ünïcödé', '$1', "E'\\x41'", 'line\nbreak'];

describe('inlined statement values', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(async () => db.drop());

  it('a text[] parameter comes back element for element, nulls included', async () => {
    const client = await db.pool.connect();
    try {
      const values = [...awkward, null];
      const { rows } = await client.query<{ value: string | null }>(inlineValues(client, 'select unnest($1::text[]) as value', [values]));
      expect(rows.map((row) => row.value)).to.deep.equal(values);
    } finally {
      client.release();
    }
  });

  it('scalars and arrays of numbers, bigints and timestamps keep their values', async () => {
    const client = await db.pool.connect();
    try {
      const at = '2026-01-02T03:04:05.678Z';
      const text = "select $1::text as s, $2::bigint as b, $3::int[] as i, $4::timestamptz[] as t, $5::text as n, $6::bigint[] as big";
      const { rows } = await client.query(inlineValues(client, text, ["o'wner\\", 9007199254740991, [0, 1, -5], [at, null], null, [9007199254740991]]));
      expect(rows[0]).to.deep.include({ s: "o'wner\\", b: '9007199254740991', i: [0, 1, -5], n: null, big: ['9007199254740991'] });
      expect(rows[0].t.map((value: Date | null) => value?.toISOString() ?? null)).to.deep.equal([at, null]);
    } finally {
      client.release();
    }
  });

  it('a batch runs its statements in order in one string and stops at the first error', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('create table inlined (value text primary key)');
      const ok = new StatementBatch(client);
      await ok.query('insert into inlined select unnest($1::text[])', [awkward]);
      ok.add("insert into inlined values ('last')");
      await ok.flush();
      const failing = new StatementBatch(client);
      failing.add('begin');
      await failing.query('insert into inlined values ($1)', ['new']);
      await failing.query('insert into inlined values ($1)', ["it's"]);
      failing.add('commit');
      const error = await failing.flush().then(() => null, (caught: unknown) => caught);
      expect(error).to.have.property('code', '23505');
      await client.query('rollback');
      const { rows } = await client.query<{ value: string }>('select value from inlined order by value');
      expect(rows.map((row) => row.value)).to.have.members([...awkward, 'last']);
    } finally {
      client.release();
    }
  });
});
