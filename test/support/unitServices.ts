// Mocha set-up for `npm run test:unit` only: every service URL points at a closed port, so a unit
// test that reaches for Postgres or Kafka fails at once instead of passing against a real service.
// Port 9 (discard) is closed on the loopback of every machine this runs on; nothing listens there.
const closedPort = 9;

process.env.TEST_DATABASE_URL = `postgres://postgres@127.0.0.1:${closedPort}/postgres`;
process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${closedPort}/postgres`;
process.env.KAFKA_BROKERS = `127.0.0.1:${closedPort}`;
