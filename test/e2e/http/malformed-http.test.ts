/**
 * Requests Node's HTTP parser refuses before express runs (headers over 16 KB, a malformed header line, a
 * Content-Length beside a Transfer-Encoding) get the service's JSON error with its code, like every other 4xx,
 * not Node's empty body; the connection is closed after it.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { silentLogger } from '../../../src/observability/logger';
import { startPocket, type RunningPocket } from '../../../src/server';
import { testConfig } from '../../helpers/pocket';

jest.setTimeout(30_000);

/** Sends raw bytes on a fresh connection; resolves with everything the server wrote before it closed. */
async function rawAnswer(url: string, bytes: string): Promise<{ head: string; body: unknown }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const closed = once(socket, 'close');
  socket.on('error', () => undefined);
  socket.write(bytes);
  await closed;
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { head, body: JSON.parse(body) as unknown };
}

describe('requests the HTTP parser refuses', () => {
  let running: RunningPocket;
  beforeAll(async () => {
    running = await startPocket({ ...testConfig(), port: 0, host: '127.0.0.1' }, { logger: silentLogger() });
  });
  afterAll(async () => {
    await running?.shutdown();
  });

  it('431 headers_too_large for a request line and headers over 16 KB', async () => {
    const answer = await rawAnswer(
      running.url,
      `GET /v1/users/u-1/grants?before=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(answer.head).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer.head).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(answer.head).toMatch(/\r\nConnection: close(\r\n|$)/);
    expect(answer.body).toEqual({
      error: { code: 'headers_too_large', message: 'the request line and headers exceed 16 KB' },
    });
  });

  it('400 invalid_request for a malformed header line, or both Content-Length and Transfer-Encoding', async () => {
    const refused = {
      error: {
        code: 'invalid_request',
        message: 'invalid request',
        fields: [{ path: '(request)', message: 'is not a valid HTTP/1.1 request' }],
      },
    };
    for (const bytes of [
      'GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n',
      'POST /v1/campaigns/a/participations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}',
    ]) {
      const answer = await rawAnswer(running.url, bytes);
      expect([answer.head.split('\r\n')[0], answer.body]).toEqual(['HTTP/1.1 400 Bad Request', refused]);
      // No id given: a fresh one, as every answer carries.
      expect(answer.head).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}(\r\n|$)/);
    }
  });

  it("echoes the caller's X-Request-Id when it is sane, as every other answer does", async () => {
    const big = await rawAnswer(
      running.url,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: gw-7.a:b\r\nX-Big: ${'b'.repeat(17_000)}\r\n\r\n`,
    );
    expect(big.head).toMatch(/^HTTP\/1\.1 431 /);
    expect(big.head).toMatch(/\r\nX-Request-Id: gw-7\.a:b(\r\n|$)/);
    const colonless = await rawAnswer(
      running.url,
      'GET /healthz HTTP/1.1\r\nx-request-id:  my-req-1 \r\nNo colon here\r\n\r\n',
    );
    expect(colonless.head).toMatch(/\r\nX-Request-Id: my-req-1(\r\n|$)/);
    // A run of blanks, then a character no header value may hold and no line end: the parser refuses it (400)
    // with those bytes, which are read in one pass. A pattern with a quantifier on each side of the value
    // backtracked cubically over them (over a second for 2,000 blanks, minutes for these 8,000), stalling the
    // service for everyone.
    const blanks = await rawAnswer(
      running.url,
      `GET /healthz HTTP/1.1\r\nX-Request-Id:${' '.repeat(8_000)}\u0001`,
    );
    expect(blanks.head).toMatch(/^HTTP\/1\.1 400 [^]*\r\nX-Request-Id: [0-9a-f-]{36}(\r\n|$)/);
    // Not a token: never written into the answer's headers.
    const odd = await rawAnswer(
      running.url,
      'GET /healthz HTTP/1.1\r\nX-Request-Id: a b<script>\r\nNo colon here\r\n\r\n',
    );
    expect(odd.head).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}(\r\n|$)/);
  });
});
