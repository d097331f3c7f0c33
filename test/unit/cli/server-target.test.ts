/** `--server URL --token T`: the URL the lifecycle verbs and `report` act through (cli/lifecycle-session.ts). */
import { target } from '../../../cli/lifecycle-session';
import { CliFailure } from '../../../cli/output';

function failure(server: string): CliFailure {
  try {
    target({ server, token: 'pk_0123456789abcdef_token' });
  } catch (error) {
    if (error instanceof CliFailure) return error;
    throw error;
  }
  throw new Error(`target accepted ${server}`);
}

describe('--server', () => {
  it('accepts an http(s) URL with a path prefix', () => {
    expect(target({ server: 'https://ops.example.com/pocket', token: 't' })).toEqual({
      server: 'https://ops.example.com/pocket',
      token: 't',
    });
  });

  it('refuses a URL carrying a user or password, a usage error that never prints the password', () => {
    // fetch refuses such a URL, and its message (printed as "cannot reach …") repeated the password twice into
    // the CI log; the token is the credential, so a password in the URL is a mistake.
    for (const server of [
      'http://ci:hunter2@pocket:3000',
      'http://ci:hunter2@pocket:99999',
      'https://ci@pocket',
    ]) {
      const error = failure(server);
      expect(error.exitCode).toBe(2);
      expect(error.message).not.toContain('hunter2');
    }
    expect(failure('http://ci:hunter2@pocket:3000').message).toBe(
      '--server must not hold a user or password (http://ci:***@pocket:3000): ' +
        'pocket authenticates with --token or POCKET_TOKEN',
    );
  });
});
