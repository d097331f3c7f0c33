/**
 * Requests Node's HTTP parser refuses before express sees them: a request line and headers over 16 KB (a URL
 * grown by a loop, a cookie jar), a malformed header line, a method or path that is not HTTP, both
 * Content-Length and Transfer-Encoding. Node answers them with an empty body; here they get the JSON error every
 * other 4xx has (431 `headers_too_large`, 400 `invalid_request` with its field), so a client's error handling
 * reads a code instead of failing to parse nothing, and the `X-Request-Id` every answer has. The connection is
 * closed after it, as Node does: what follows on it cannot be trusted to start a request.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { chooseRequestId } from '../observability/http/request-id';

interface ParserError extends Error {
  code?: string;
  /** The bytes the parser had when it gave up (Node ≥ 12). */
  rawPacket?: Buffer;
}

/**
 * The caller's `X-Request-Id`, read from the bytes the parser refused when it sits on a complete line of its own
 * (a refused request is no ground for more): the answer carries it as every other answer does, or a fresh id.
 */
function requestIdIn(err: ParserError): string {
  const raw = err.rawPacket?.toString('latin1') ?? '';
  // One quantifier, then trim: blanks matched by several (`[ \t]*(…*?)[ \t]*`) backtracked cubically over a long
  // run of them, and these bytes come from a caller the parser already refused.
  return chooseRequestId(/\r\nx-request-id:([^\r\n]*)\r\n/i.exec(raw)?.[1]?.trim());
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

function answerFor(code: string | undefined): { status: number; error: Record<string, unknown> } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        error: { code: 'headers_too_large', message: 'the request line and headers exceed 16 KB' },
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        error: { code: 'request_timeout', message: 'the request did not arrive in time' },
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, error: { code: 'payload_too_large', message: 'request body is too large' } };
    default:
      return {
        status: 400,
        error: {
          code: 'invalid_request',
          message: 'invalid request',
          fields: [{ path: '(request)', message: 'is not a valid HTTP/1.1 request' }],
        },
      };
  }
}

/** Replaces Node's bodyless answer to a request its parser refused with the service's JSON error. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: ParserError, socket: Duplex) => {
    // Node's own rule: answer unless an answer on this connection has begun; then close it either way.
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const { status, error } = answerFor(err.code);
      const body = JSON.stringify({ error });
      socket.write(
        `HTTP/1.1 ${status} ${REASONS[status] ?? ''}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'Cache-Control: no-store\r\n' +
          'X-Content-Type-Options: nosniff\r\n' +
          `X-Request-Id: ${requestIdIn(err)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  });
}
