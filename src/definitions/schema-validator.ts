import type Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import { isDateTime } from '../shared/date-time';
import { newAjv } from '../shared/new-ajv';
import campaignSchema from '../../schemas/campaign.schema.json';
import casesSchema from '../../schemas/cases.schema.json';
import participationRequestSchema from '../../schemas/participation-request.schema.json';
import rulesSchema from '../../schemas/rules.schema.json';
import { findingsFromAjvErrors, NonFiniteSource, type Revalidate } from './ajv-error-findings';
import { error, type Finding } from './finding';
import { MAX_NESTING, tooDeepPath } from './nesting-depth';
import type { JsonSchema } from './schema-navigation';

export type SchemaKind = 'campaign' | 'rules' | 'cases';

/** The JSON Schemas in schemas/, by kind. */
export const SCHEMAS: Readonly<Record<SchemaKind, JsonSchema>> = {
  campaign: campaignSchema,
  rules: rulesSchema,
  cases: casesSchema,
};

let ajv: Ajv2020 | undefined;
const compiled = new Map<SchemaKind, ValidateFunction>();

function validatorFor(kind: SchemaKind): ValidateFunction {
  let validate = compiled.get(kind);
  if (!validate) {
    ajv ??= createAjv();
    validate = ajv.compile(SCHEMAS[kind] as object);
    compiled.set(kind, validate);
  }
  return validate;
}

/** One ajv instance for the process; each schema is compiled once, on first use. */
function createAjv(): Ajv2020 {
  const instance = newAjv({
    allErrors: true,
    verbose: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  instance.addFormat('date-time', { type: 'string', validate: isDateTime });
  // Annotation understood by VS Code's YAML/JSON language services, reused for our own messages.
  instance.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  // A case's `context` refers to the participation API's own definitions: the references resolve here.
  instance.addSchema(participationRequestSchema);
  return instance;
}

/** A validator as a `Revalidate`: the errors of one more run (each run replaces `validate.errors`). */
function revalidateWith(validate: ValidateFunction): Revalidate {
  return (data) => (validate(data) ? [] : [...(validate.errors ?? [])]);
}

/**
 * Validates plain data against one of the schemas and returns readable findings (empty when valid).
 * `sourceOf` gives the YAML text of non-finite numbers, for the messages.
 */
export function validateAgainstSchema(
  kind: SchemaKind,
  data: unknown,
  sourceOf?: NonFiniteSource,
): Finding[] {
  // Before ajv, whose validators recurse once per level: a document nested deeper is refused, not a stack overflow.
  const deep = tooDeepPath(data);
  if (deep) return [error(deep, `is nested too deeply: at most ${MAX_NESTING} levels of maps and lists`)];
  const validate = validatorFor(kind);
  if (validate(data)) return [];
  const errors = [...(validate.errors ?? [])];
  return findingsFromAjvErrors(errors, SCHEMAS[kind], data, sourceOf, revalidateWith(validate));
}

/**
 * The context fact as a case, `explain --context` or a users file may set it (cases.schema.json `$defs/context`):
 * each attribute of the participation API's request context, held to its definition there, and the `ip` the
 * service adds from the connection, which rules may read too.
 */
export const CONTEXT_SCHEMA: JsonSchema = casesSchema.$defs.context;

/** Validates a hand-written context against CONTEXT_SCHEMA and returns readable findings. */
export function validateContext(data: unknown): Finding[] {
  validatorFor('cases'); // compiles cases.schema.json, so its $defs can be looked up
  const validate = ajv?.getSchema(`${casesSchema.$id}#/$defs/context`);
  if (!validate) throw new Error('cases.schema.json has no $defs/context');
  if (validate(data)) return [];
  return findingsFromAjvErrors(validate.errors ?? [], CONTEXT_SCHEMA, data);
}
