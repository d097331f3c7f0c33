import { decodeGrantCursor, encodeGrantCursor } from '../../../src/participation/grants-cursor';

describe('the grants list cursor', () => {
  it('names the position it was made from', () => {
    const position = { createdAt: new Date('2026-11-11T02:00:00.123Z'), id: 'b3f1c2d4-grant' };
    const cursor = encodeGrantCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeGrantCursor(cursor)).toEqual(position);
  });

  it.each([
    ['', 'empty'],
    ['not*base64', 'not base64url'],
    ['x'.repeat(257), 'too long'],
    [Buffer.from('{"a":1}').toString('base64url'), 'not a pair'],
    [Buffer.from('["2026-11-11","g"]').toString('base64url'), 'a date that is not the full ISO instant'],
    [Buffer.from('["2026-11-11T02:00:00.000Z",""]').toString('base64url'), 'an empty id'],
    [Buffer.from('["2026-11-11T02:00:00.000Z",7]').toString('base64url'), 'an id that is not text'],
    [Buffer.from('[').toString('base64url'), 'not JSON'],
    [
      Buffer.from('["-271821-04-20T00:00:00.000Z","g"]').toString('base64url'),
      'a year PostgreSQL cannot hold',
    ],
    [Buffer.from('["+275760-09-13T00:00:00.000Z","g"]').toString('base64url'), 'a six-digit year'],
    [Buffer.from('["2026-11-11T02:00:00.000Z","g\\u0000"]').toString('base64url'), 'a NUL in the id'],
  ])('refuses %j (%s)', (text) => {
    expect(decodeGrantCursor(text)).toBeNull();
  });
});
