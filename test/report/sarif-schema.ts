// The official SARIF 2.1.0 schema (draft-04 JSON Schema, as published) and a
// validator for it, shared by the formatter's tests and the CLI's.
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const schema = createRequire(__filename)('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as Record<string, unknown>;
// One of the schema's patterns (language codes) is not valid in unicode mode.
const ajv = new Ajv({ unicodeRegExp: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

/**
 * The schema errors of a SARIF log (parsed JSON); empty when it is valid.
 */
export function sarifErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
