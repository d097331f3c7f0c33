/** Request validation against the JSON Schemas in schemas/: one ajv instance, each schema compiled once. */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { ValidationError, type FieldError } from '../errors/app-error';
import { newAjv } from '../shared/new-ajv';
import { schemaPath } from '../shared/package-root';

const ajv = newAjv({ allErrors: true, verbose: true });
// A pattern's message in words (`must be 1-32 lower-case letters…`), as editors show it for the YAML schemas.
ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaFile: string): ValidateFunction {
  let validate = compiled.get(schemaFile);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath(schemaFile), 'utf8')) as object);
    compiled.set(schemaFile, validate);
  }
  return validate;
}

function fieldError(e: ErrorObject): FieldError {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') {
    const extra = String(e.params['additionalProperty']);
    return { path: base ? `${base}.${extra}` : extra, message: 'unknown field' };
  }
  if (e.keyword === 'required') {
    const missing = String(e.params['missingProperty']);
    return { path: base ? `${base}.${missing}` : missing, message: 'is required' };
  }
  const worded = (e.parentSchema as { patternErrorMessage?: unknown } | undefined)?.patternErrorMessage;
  if (e.keyword === 'pattern' && typeof worded === 'string')
    return { path: base || '(body)', message: worded };
  // ajv's "must be equal to one of the allowed values" leaves the client to find them in the OpenAPI document.
  if (e.keyword === 'enum') {
    const allowed = (e.params['allowedValues'] as unknown[]).map(String).join(', ');
    return { path: base || '(body)', message: `must be one of: ${allowed}` };
  }
  return { path: base || '(body)', message: e.message ?? 'is invalid' };
}

/** Validates `value` against schemas/<schemaFile>; throws a 400 invalid_request with field errors. */
export function validateRequest<T>(schemaFile: string, value: unknown, what = 'request body'): T {
  const validate = validatorFor(schemaFile);
  if (!validate(value)) {
    const fields = (validate.errors ?? []).map(fieldError);
    throw new ValidationError(`invalid ${what}`, fields);
  }
  return value as T;
}
