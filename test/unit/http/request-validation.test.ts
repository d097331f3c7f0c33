import { ValidationError } from '../../../src/errors/app-error';
import { validateRequest } from '../../../src/http/request-validation';

function fieldsOf(body: unknown): unknown {
  try {
    validateRequest('participation-request.schema.json', body);
  } catch (err) {
    if (err instanceof ValidationError) return (err.toJSON()['error'] as { fields: unknown }).fields;
    throw err;
  }
  return [];
}

describe('validateRequest', () => {
  it('names the values an enum takes, so a client can correct the field without the OpenAPI document', () => {
    expect(fieldsOf({ userId: 'u1', context: { platform: 'nokia' } })).toEqual([
      { path: 'context.platform', message: 'must be one of: ios, android, web, other' },
    ]);
  });

  it('keeps the worded pattern message and the unknown-field message', () => {
    expect(fieldsOf({ userId: '', contxt: {} })).toEqual([
      { path: 'contxt', message: 'unknown field' },
      { path: 'userId', message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -, not . or .. alone' },
    ]);
  });
});
