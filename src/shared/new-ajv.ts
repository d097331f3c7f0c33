import Ajv2020, { type Options } from 'ajv/dist/2020';

/**
 * An ajv for our own schemas (schemas/), strict. Without checking each schema against JSON Schema's meta-schema
 * as it is added: ajv compiles that meta-schema first, in every process, 0.1 to 0.15 s of a CLI verb's start
 * (the config's, the definitions' and the requests' instances each did it). The schemas are ours and fixed at
 * build time: test/unit/shared/schemas-meta.test.ts holds each to the meta-schema instead.
 */
export function newAjv(options: Options = {}): Ajv2020 {
  return new Ajv2020({ strict: true, ...options, validateSchema: false });
}
