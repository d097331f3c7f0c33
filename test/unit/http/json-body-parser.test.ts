/**
 * jsonBodyParser(), the body parser the service mounts and the participation benchmark's bare endpoint reuses:
 * at most 8 KB by default, strict (no top-level primitives), and a prototype key anywhere is refused before it
 * reaches an object, as is an object that repeats a key.
 */
import { gzipSync } from 'node:zlib';
import express, { Router } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp, jsonBodyParser } from '../../../src/http/app';

/** A documented route that reads a body: the app parses bodies for documented paths only. */
const PATH = '/v1/campaigns/sale/participations';

function echo(limit?: string): express.Express {
  const app = express();
  app.use(limit === undefined ? jsonBodyParser() : jsonBodyParser(limit));
  app.post(PATH, (req, res) => {
    res.json({ body: req.body as unknown });
  });
  return app;
}

const post = (app: express.Express, text: string) =>
  request(app).post(PATH).set('Content-Type', 'application/json').send(text);

/** The whole app (parser and error handler) in front of an echo route: the bodies a client sees. */
function service(): express.Express {
  const router = Router();
  router.post('/v1/campaigns/:id/participations', (req, res) => {
    res.json({ body: req.body as unknown });
  });
  router.get('/things/:id', (req, res) => {
    res.json({ id: req.params['id'] });
  });
  return createApp({ logger: pino({ level: 'silent' }), routers: [router], health: { ready: () => true } });
}

describe('jsonBodyParser', () => {
  it('parses a JSON object', async () => {
    const res = await post(echo(), '{"userId":"u-1","context":{"channel":"app"}}');
    expect([res.status, res.body]).toEqual([200, { body: { userId: 'u-1', context: { channel: 'app' } } }]);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses a "%s" key, even nested', async (key) => {
    expect((await post(echo(), `{"${key}":{"admin":true}}`)).status).toBe(400);
    expect((await post(echo(), `{"context":{"a":[{"${key}":1}]}}`)).status).toBe(400);
  });

  it('refuses an object that repeats a key, however it is spelled, at any depth; keeps equal keys of different objects', async () => {
    const refused = [
      '{"userId":"u-1","userId":"u-2"}',
      '{"userId":"u-1", "\\u0075serId" :"u-2"}',
      '{"context":{"a":[{"channel":"app","channel":"h5"}]}}',
    ];
    for (const text of refused) {
      const res = await post(service(), text);
      expect([text, res.status, (res.body as { error: { message: string } }).error.message]).toEqual([
        text,
        400,
        expect.stringMatching(/^request body holds the key "(userId|channel)" more than once in one object$/),
      ]);
    }
    const kept = '{"a":{"id":"x"},"b":{"id":"y"},"c":[{"id":1},{"id":2}],"d":"\\"a\\":{","e":["a","a"]}';
    expect((await post(service(), kept)).status).toBe(200);
    // Text that is not JSON is the parser's to report.
    expect((await post(service(), '{"a":1,"a":')).body).toMatchObject({
      error: { message: 'request body is not valid JSON' },
    });
  });

  it('refuses a top-level primitive (strict)', async () => {
    expect((await post(echo(), '"u-1"')).status).toBe(400);
    expect((await post(echo(), '42')).status).toBe(400);
  });

  it('takes 8 KB by default, and the limit it is given', async () => {
    const body = (size: number): string => JSON.stringify({ pad: 'x'.repeat(size - 10) });
    expect(body(8 * 1024)).toHaveLength(8 * 1024);
    expect((await post(echo(), body(8 * 1024))).status).toBe(200);
    expect((await post(echo(), body(8 * 1024 + 1))).status).toBe(413);
    expect((await post(echo('1mb'), body(100 * 1024))).status).toBe(200);
  });

  it('answers a forbidden key as what it is (valid JSON refused for a key), not as bad JSON', async () => {
    const res = await post(service(), '{"userId":"u1","__proto__":{"a":1}}');
    const message = 'request body holds a forbidden key "__proto__"';
    expect([res.status, res.body]).toEqual([
      400,
      { error: { code: 'invalid_request', message, fields: [{ path: '(body)', message }] } },
    ]);
  });

  it('answers malformed JSON with a field error naming the position, like every other 400', async () => {
    const res = await post(service(), '{"userId": "u1",}');
    expect([res.status, res.body]).toEqual([
      400,
      {
        error: {
          code: 'invalid_request',
          message: 'request body is not valid JSON',
          fields: [{ path: '(body)', message: expect.stringMatching(/in JSON at position 16/) as string }],
        },
      },
    ]);
  });

  const refusal = (message: string, field: string, path = '(body)') => ({
    error: { code: 'invalid_request', message, fields: [{ path, message: field }] },
  });

  it.each(['null', '42', '"u-1"', 'true', '[]', '[{"userId":"u1"}]'])(
    'answers valid JSON that is not an object (%s) as such, not as bad JSON',
    async (text) => {
      const res = await post(service(), text);
      expect([res.status, res.body]).toEqual([
        400,
        refusal('request body must be a JSON object', 'must be a JSON object'),
      ]);
    },
  );

  it('answers a body nested too deeply to parse as such, not as a stack overflow', async () => {
    const res = await post(service(), `{"context":${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect([res.status, res.body]).toEqual([
      400,
      refusal('request body is nested too deeply', 'is nested too deeply to parse'),
    ]);
  });

  it.each(['gzip', 'deflate', 'br'])(
    'answers a %s body that does not decompress with 400, not 500',
    async (enc) => {
      const res = await request(service())
        .post(PATH)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', enc)
        .send(enc === 'gzip' ? gzipSync('{"a":1}').subarray(0, 12) : Buffer.from('xx'));
      expect([res.status, res.body]).toEqual([
        400,
        refusal('request body could not be decompressed', `is not valid ${enc} data`),
      ]);
    },
  );

  it('parses no body for a path no route documents: a POST there is 404, not 415, 400 or 413', async () => {
    const app = service();
    const sends = [
      request(app).post('/v1/nope').set('Content-Type', 'application/json').send('{bad'),
      request(app).post('/v1/nope').set('Content-Type', 'text/plain').send('x'),
      request(app)
        .post('/v1/nope')
        .send({ pad: 'x'.repeat(9000) }),
      request(app).post('/things/1').send('{"a":1,"a":2}'),
    ];
    for (const res of await Promise.all(sends)) {
      expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
    }
  });

  it('answers a malformed percent-encoding in the path with 400, not 500', async () => {
    const res = await request(service()).get('/things/%ZZ');
    expect([res.status, res.body]).toEqual([
      400,
      refusal('request path is not valid', 'holds a malformed percent-encoding', '(path)'),
    ]);
    expect((await request(service()).get('/things/a%20b')).body).toEqual({ id: 'a b' });
  });
});
