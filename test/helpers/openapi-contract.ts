/**
 * Checks real HTTP responses against src/http/openapi.json: the status must be documented for the operation,
 * the content type must be one the document lists, the body must match its schema (ajv, JSON Schema 2020-12,
 * which OpenAPI 3.1 schemas are) and documented headers must be present when required and valid. Records which
 * (operation, status) pairs were seen, so a suite can require that it exercised every documented answer.
 * test/e2e/http/openapi-contract.test.ts requires every documented answer; a new endpoint adds its cases there.
 * Other suites may `check` responses too, and compare `covered()` with `documented(path filter)`.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import openapi from '../../src/http/openapi.json';

const OPENAPI_ID = 'https://pocket.dev/openapi.json';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

/** What a response needs to be checked; supertest's Response has all of it. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

type Json = Record<string, unknown>;

/** The document's own top-level keywords are not JSON Schema keywords; ajv's strict mode must not reject them. */
const DOCUMENT_KEYWORDS = [
  'openapi',
  'info',
  'paths',
  'components',
  'servers',
  'tags',
  'security',
  'webhooks',
];

function escapeToken(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}

/** A URI fragment for a JSON pointer made of raw tokens. */
export function pointer(...tokens: string[]): string {
  return tokens.map((t) => `/${escapeToken(t)}`).join('');
}

/** Follows a local `#/…` JSON pointer in the document. */
export function resolveLocal(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`not a local reference: ${ref}`);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(token in node)) return undefined;
    node = (node as Json)[token];
  }
  return node;
}

export function createSchemaAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(DOCUMENT_KEYWORDS);
  // The request schema's worded pattern messages (schemas/participation-request.schema.json), an annotation.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  ajv.addSchema({ ...openapi, $id: OPENAPI_ID });
  return ajv;
}

export class OpenApiContract {
  readonly doc: Json = openapi as Json;
  private readonly ajv = createSchemaAjv();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly seen = new Set<string>();

  /** Every documented answer as "METHOD /path status", optionally only for paths accepted by `include`. */
  documented(include: (path: string) => boolean = () => true): string[] {
    const out: string[] = [];
    for (const [path, item] of Object.entries(this.doc['paths'] as Record<string, Json>)) {
      if (!include(path)) continue;
      for (const method of METHODS) {
        const op = item[method] as { responses: Json } | undefined;
        if (!op) continue;
        for (const status of Object.keys(op.responses)) out.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    return out.sort();
  }

  covered(): string[] {
    return [...this.seen].sort();
  }

  /** The compiled schema at a JSON pointer of the document. */
  validator(fragment: string): ValidateFunction {
    let validate = this.validators.get(fragment);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${OPENAPI_ID}#${fragment}` });
      this.validators.set(fragment, validate);
    }
    return validate;
  }

  /** Throws a readable error unless `res` is a documented answer of `method path` (a path template). */
  check(method: HttpMethod, path: string, res: HttpAnswer): void {
    const where = `${method.toUpperCase()} ${path} → ${res.status}`;
    const item = (this.doc['paths'] as Record<string, Json | undefined>)[path];
    const op = item?.[method] as { responses: Record<string, Json> } | undefined;
    if (!op) throw new Error(`${where}: the operation is not in openapi.json`);
    let response = op.responses[String(res.status)];
    let at = pointer('paths', path, method, 'responses', String(res.status));
    if (!response) throw new Error(`${where}: undocumented status; body: ${res.text.slice(0, 500)}`);
    const ref = response['$ref'];
    if (typeof ref === 'string') {
      response = resolveLocal(this.doc, ref) as Json;
      at = ref.slice(1);
    }

    const content = response['content'] as Record<string, unknown> | undefined;
    const contentType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim();
    if (content) {
      if (!contentType || !(contentType in content)) {
        throw new Error(
          `${where}: content type "${contentType ?? ''}" is not one of ${Object.keys(content).join(', ')}`,
        );
      }
      let body: unknown = res.text;
      // JSON media types are parsed; anything else (metrics text, the dashboard's HTML) is checked as a string.
      if (/[/+]json$/.test(contentType)) {
        try {
          body = JSON.parse(res.text);
        } catch {
          throw new Error(`${where}: body is not JSON: ${res.text.slice(0, 200)}`);
        }
      }
      const validate = this.validator(`${at}${pointer('content', contentType, 'schema')}`);
      if (!validate(body)) {
        throw new Error(
          `${where}: body does not match openapi.json: ${this.ajv.errorsText(validate.errors)}\n${res.text.slice(0, 500)}`,
        );
      }
    } else if (res.text !== '') {
      throw new Error(`${where}: openapi.json documents no body, got ${res.text.slice(0, 200)}`);
    }

    const headers = (response['headers'] ?? {}) as Record<string, { required?: boolean; schema?: Json }>;
    for (const [name, header] of Object.entries(headers)) {
      const raw = res.headers[name.toLowerCase()];
      if (raw === undefined) {
        if (header.required) throw new Error(`${where}: required header ${name} is missing`);
        continue;
      }
      const value = Array.isArray(raw) ? raw.join(', ') : raw;
      const typed = header.schema?.['type'] === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
      const validate = this.validator(`${at}${pointer('headers', name, 'schema')}`);
      if (!validate(typed)) {
        throw new Error(`${where}: header ${name}: ${value}: ${this.ajv.errorsText(validate.errors)}`);
      }
    }
    this.seen.add(`${method.toUpperCase()} ${path} ${res.status}`);
  }
}
