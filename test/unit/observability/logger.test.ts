/** Gateway and admin tokens are never logged: the logger's redaction removes them wherever pocket puts them. */
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/observability/logger';

const TOKEN = 'pk_0123456789abcdef_SECRETsecretSECRETsecretSECRETsecretSECRETs';
const CODE = 'cGF5bG9hZC1vZi10aGUtY29kZQ.SIGNATUREsignatureSIGNATUREsignatureSIGNATU';

function capture(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { logger: createLogger('info', sink), text: () => text };
}

describe('logger redaction', () => {
  it('drops the Authorization header, token fields and activity codes, and keeps the rest of the line', () => {
    const { logger, text } = capture();
    logger.info(
      {
        req: { method: 'POST', url: '/admin/publish', headers: { authorization: `Bearer ${TOKEN}` } },
        authorization: `Bearer ${TOKEN}`,
        token: TOKEN,
        created: { id: '0123456789abcdef', token: TOKEN },
        activityCode: CODE,
        requestId: 'req-1',
      },
      'request',
    );

    const out = text();
    expect(out).not.toContain('SECRETsecret');
    expect(out).not.toContain(CODE);
    const line = JSON.parse(out) as Record<string, unknown>;
    expect(line).toMatchObject({
      msg: 'request',
      requestId: 'req-1',
      req: { method: 'POST', url: '/admin/publish', headers: {} },
      created: { id: '0123456789abcdef' },
    });
    expect(line).not.toHaveProperty('authorization');
    expect(line).not.toHaveProperty('token');
    expect(line).not.toHaveProperty('activityCode');
  });
});
