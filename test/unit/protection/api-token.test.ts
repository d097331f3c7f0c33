import {
  hashTokenSecret,
  issueToken,
  parseScopes,
  parseToken,
  secretMatches,
} from '../../../src/protection/api-token';

describe('API tokens', () => {
  it('issues pk_<id>_<secret> tokens whose secret is 32 random bytes and only its sha256 is kept', () => {
    const issued = issueToken();
    expect(issued.token).toMatch(/^pk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseToken(issued.token);
    expect(parsed).not.toBeNull();
    expect(parsed?.id).toBe(issued.id);
    expect(Buffer.from(parsed?.secret ?? '', 'base64url')).toHaveLength(32);
    expect(issued.secretHash).toBe(hashTokenSecret(parsed?.secret ?? ''));
    expect(issued.secretHash).not.toContain(parsed?.secret);
    expect(issueToken().token).not.toBe(issued.token);
  });

  it('parses only the exact token shape', () => {
    const { token } = issueToken();
    for (const bad of [
      '',
      'pk_',
      token.slice(0, -1),
      `${token}x`,
      token.replace('pk_', 'pk-'),
      `Bearer ${token}`,
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.sig',
    ]) {
      expect(parseToken(bad)).toBeNull();
    }
  });

  it('compares secrets against the stored hash', () => {
    const issued = issueToken();
    const secret = parseToken(issued.token)?.secret ?? '';
    expect(secretMatches(secret, issued.secretHash)).toBe(true);
    const other = parseToken(issueToken().token)?.secret ?? '';
    expect(secretMatches(other, issued.secretHash)).toBe(false);
    expect(secretMatches(secret, 'abcd')).toBe(false);
  });

  it('parses scope lists, refusing unknown scopes and client tokens with admin scopes', () => {
    expect(parseScopes('publish,read')).toEqual(['publish', 'read']);
    expect(parseScopes(' operate , operate ')).toEqual(['operate']);
    expect(parseScopes('participate')).toEqual(['participate']);
    expect(() => parseScopes('')).toThrow('no scope given');
    expect(() => parseScopes('read,admin')).toThrow('unknown scope admin');
    expect(() => parseScopes('participate,read')).toThrow('cannot also hold admin scopes');
  });
});
