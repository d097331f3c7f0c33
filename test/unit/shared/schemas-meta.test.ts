/**
 * Every JSON Schema in schemas/ is a valid draft 2020-12 schema. The service's ajv instances skip that check as
 * they start (src/shared/new-ajv.ts: it cost every process 0.1 to 0.15 s), so it is made here, once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { newAjv } from '../../../src/shared/new-ajv';

const SCHEMAS = join(__dirname, '../../../schemas');
const files = readdirSync(SCHEMAS).filter((name) => name.endsWith('.schema.json'));

describe('the JSON Schemas in schemas/', () => {
  it('are all here', () => {
    expect(files.sort()).toEqual([
      'campaign.schema.json',
      'cases.schema.json',
      'config.schema.json',
      'participation-request.schema.json',
      'rules.schema.json',
    ]);
  });

  it.each(files)('%s is valid against the draft 2020-12 meta-schema', (name) => {
    const schema = JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as object;
    const ajv = new Ajv2020();
    expect([ajv.validateSchema(schema), ajv.errors ?? null]).toEqual([true, null]);
  });

  it('the check catches a schema the meta-schema refuses, which the service’s ajv would take unchecked', () => {
    const broken = { type: 'object', properties: { amount: { type: 'money' } } };
    const ajv = new Ajv2020();
    expect(ajv.validateSchema(broken)).toBe(false);
    expect(ajv.errors?.[0]).toMatchObject({ instancePath: '/properties/amount/type' });
    expect(() => new Ajv2020().compile(broken)).toThrow(/schema is invalid/);
    expect(() => newAjv().compile(broken)).not.toThrow(/schema is invalid/);
  });
});
