/** Shared pieces of the HTTP client suites that run against nock. */
import nock from 'nock';
import { DependencyUnavailableError } from '../../../src/errors/app-error';

/**
 * Registers hooks that keep the suite off the network and fail a test that leaves an interceptor unused;
 * `abortPending` also aborts the requests still waiting on a delayed reply (a timeout test's) before cleaning up.
 */
export function useStrictNock(options: { abortPending?: boolean } = {}): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    if (options.abortPending) nock.abortPendingRequests();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());
}

/** Matches the DependencyUnavailableError (503) naming `dependency`, with a message that matches `message`. */
export const dependencyUnavailable = (dependency: string, message: RegExp) =>
  expect.objectContaining({
    constructor: DependencyUnavailableError,
    status: 503,
    dependency,
    message: expect.stringMatching(message),
  });
