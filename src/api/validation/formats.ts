// Field-level wrappers around the string validators of machinery/names.
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortName, isValidPortNum, type NameValidator } from '../../machinery/names.js';
import { each, type Errors } from './field.js';

export const validateDNS1123Label = (value: string, path: string): Errors => each(path, value, isDNS1123Label(value));
export const validateDNS1123Subdomain = (value: string, path: string): Errors => each(path, value, isDNS1123Subdomain(value));
export const validateQualifiedName = (value: string, path: string): Errors => each(path, value, isQualifiedName(value));
/** A ValidateNameFunc applied to a full (not generated) name at some field. */
export const validateName = (fn: NameValidator, value: string, path: string): Errors => each(path, value, fn(value, false));

/** ValidatePortNumOrName for an IntOrString port. */
export function validatePortNumOrName(port: unknown, path: string): Errors {
  if (typeof port === 'string') return each(path, port, isValidPortName(port));
  return each(path, Number(port ?? 0), isValidPortNum(Number(port ?? 0)));
}
