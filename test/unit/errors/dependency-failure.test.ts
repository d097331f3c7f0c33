/** Which failures a read endpoint answers 503 (a dependency down) rather than 500 (a bug). */
import { dependencyOf } from '../../../src/errors/dependency-failure';

describe('dependencyOf', () => {
  it.each([
    ['pg: a new connection unanswered within its connect timeout', new Error('timeout expired')],
    [
      'pg: a client whose connection broke',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['pg: a closed client', new Error('Client was closed and is not queryable')],
    ['pg: the server went away', new Error('Connection terminated unexpectedly')],
    ['knex: no pooled connection in time', Object.assign(new Error('x'), { name: 'KnexTimeoutError' })],
  ])('is the ledger for %s', (_what, error) => {
    expect(dependencyOf(error)).toBe('ledger');
  });

  it('is the hot state for a Redis command timeout', () => {
    expect(dependencyOf(new Error('Command timed out'))).toBe('hot-state');
  });

  it('is nothing for a bug, even one that mentions a timeout', () => {
    expect(dependencyOf(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeNull();
    expect(dependencyOf(new Error('the timeout expired before the loop ended'))).toBeNull();
  });
});
