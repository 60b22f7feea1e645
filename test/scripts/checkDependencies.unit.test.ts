// The dependency-rule check (scripts/checkDependencies.ts) on two fixture trees: one that breaks each
// rule exactly once, and one that follows them all.
import * as path from 'node:path';
import { expect } from 'chai';
import { checkDependencies } from '../../scripts/checkDependencies';

const fixtures = path.join(__dirname, '..', 'fixtures', 'dependencyRules');

describe('scripts: checkDependencies', () => {
  it('reports each broken rule, naming the files, and each cycle as a path', () => {
    expect(checkDependencies(path.join(fixtures, 'violations'))).to.deep.equal([
      { rule: 'pg', message: 'src/app/store.ts imports pg: only src/infra/postgres/ may import pg' },
      { rule: 'domain', message: 'src/domain/money.ts imports src/app/ledger.ts: src/domain imports only src/domain, src/config and node: built-ins' },
      { rule: 'actors', message: 'src/http/route.ts imports actors/account/account.ts: in src/ only src/runtime/ imports actors/' },
      { rule: 'projections', message: 'src/projections/fold.ts imports src/infra/postgres/pool.ts: src/projections never imports src/infra' },
      { rule: 'cycle', message: 'import cycle: src/infra/cycleA.ts -> src/infra/cycleB.ts -> src/infra/cycleA.ts' },
    ]);
  });

  it('passes a tree that follows every rule (pg in infra/postgres, actors through src/runtime, domain on config and node:)', () => {
    expect(checkDependencies(path.join(fixtures, 'clean'))).to.deep.equal([]);
  });
});
