// apiregistration.k8s.io/v1 APIService: ValidateAPIService{,Update} of k8s.io/kube-aggregator. The name must
// be `version.group` (`v1.` for the legacy core group); a local one (no service) has no TLS settings.
import type { StoredObject } from '../loose.js';
import { fieldRequired } from '../../machinery/errors.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, isValidPortNum } from '../../machinery/names.js';
import { each, invalid, invalidRendered, obj, str, type Errors } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

export function validateAPIService(svc: StoredObject): Errors {
  const spec = obj(svc.spec);
  const group = str(spec.group);
  const version = str(spec.version);
  const requiredName = `${version}.${group}`;
  const errs = validateObjectMeta(svc.metadata, false, (name) => {
    const minimal = isValidPathSegmentName(name);
    if (minimal.length) return minimal;
    return name === requiredName ? [] : [`must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`];
  });
  if (!group && version !== 'v1') errs.push(fieldRequired('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group) errs.push(...each('spec.group', group, isDNS1123Subdomain(group)));
  errs.push(...each('spec.version', version, isDNS1035Label(version)));
  const groupPriority = spec.groupPriorityMinimum ?? 0;
  if (groupPriority <= 0 || groupPriority > 20000) errs.push(invalid('spec.groupPriorityMinimum', groupPriority, 'must be positive and less than 20000'));
  const versionPriority = spec.versionPriority ?? 0;
  if (versionPriority <= 0 || versionPriority > 1000) errs.push(invalid('spec.versionPriority', versionPriority, 'must be positive and less than 1000'));
  const caBundle = str(spec.caBundle);
  const skipVerify = spec.insecureSkipTLSVerify === true;
  if (!spec.service) {
    if (caBundle) errs.push(invalidRendered('spec.caBundle', `"${Buffer.from(caBundle, 'base64').length} bytes"`, 'local APIServices may not have a caBundle'));
    if (skipVerify) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  const service = obj(spec.service);
  if (!str(service.namespace)) errs.push(fieldRequired('spec.service.namespace'));
  if (!str(service.name)) errs.push(fieldRequired('spec.service.name'));
  const portErrs = isValidPortNum(service.port ?? 0);
  if (portErrs.length) errs.push(invalid('spec.service.port', service.port ?? 0, `port is not valid: ${portErrs.join(', ')}`));
  if (skipVerify && caBundle) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

export const validateAPIServiceUpdate = (svc: StoredObject, old: StoredObject): Errors => [...validateObjectMetaUpdate(svc.metadata, old.metadata, false), ...validateAPIService(svc)];
