// Containers of a PodSpec: validateContainers, validateInitContainers and validateContainerCommon with
// ports, env, probes, lifecycle handlers, pull policy and the container security context.
import type { ConfigMapKeySelector, Container, LifecycleHandler, ObjectFieldSelector, Probe, SecurityContext } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { fieldDuplicate, fieldForbidden, fieldNotSupported, fieldRequired } from '../../machinery/errors.js';
import { isConfigMapKey, isHTTPHeaderName, isValidGroupID, isValidPortName, isValidPortNum, isValidUserID, nameIsDNSSubdomain } from '../../machinery/names.js';
import { arr, child, duplicateRendered, each, index, invalid, isSet, nonNegative, obj, str, type Errors } from './field.js';
import { validateDNS1123Label, validateName, validatePortNumOrName, validateQualifiedName } from './formats.js';
import { validateContainerResources } from './resources.js';
import { validateVolumeMounts } from './volume.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const CONVERTIBLE_FIELD_LABELS = new Set(['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs']);
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

function validatePorts(ports: unknown, path: string): Errors {
  const errs: Errors = [];
  const names = new Set<string>();
  arr(ports).forEach((port, i) => {
    const p = index(path, i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...each(child(p, 'name'), name, msgs));
      else if (names.has(name)) errs.push(fieldDuplicate(child(p, 'name'), name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(fieldRequired(child(p, 'containerPort')));
    else errs.push(...each(child(p, 'containerPort'), port.containerPort, isValidPortNum(port.containerPort)));
    if (port.hostPort) errs.push(...each(child(p, 'hostPort'), port.hostPort, isValidPortNum(port.hostPort)));
    if (!port.protocol) errs.push(fieldRequired(child(p, 'protocol')));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(fieldNotSupported(child(p, 'protocol'), port.protocol, PROTOCOLS));
  });
  return errs;
}

// RelaxedEnvironmentVariableValidation is on by default in 1.32: any printable ASCII except '='.
function envNameErrors(name: string): string[] {
  return /^[\x20-\x7e]*$/.test(name) && !name.includes('=')
    ? []
    : ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
}

function validateFieldRef(ref: Loose<ObjectFieldSelector>, path: string): Errors {
  if (!ref.apiVersion) return [fieldRequired(child(path, 'apiVersion'))];
  if (!ref.fieldPath) return [fieldRequired(child(path, 'fieldPath'))];
  const fieldPath = str(ref.fieldPath);
  const subscripted = /^(metadata\.(?:annotations|labels))\['(.*)'\]$/.exec(fieldPath);
  if (ref.apiVersion !== 'v1') return [invalid(child(path, 'fieldPath'), fieldPath, `error converting fieldPath: unsupported pod version: ${ref.apiVersion}`)];
  if (subscripted) return validateQualifiedName(subscripted[1] === 'metadata.annotations' ? subscripted[2].toLowerCase() : subscripted[2], path);
  const label = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  if (!CONVERTIBLE_FIELD_LABELS.has(label)) {
    const reason = fieldPath.includes('[') ? 'field label does not support subscript' : 'field label not supported';
    return [invalid(child(path, 'fieldPath'), fieldPath, `error converting fieldPath: ${reason}: ${fieldPath}`)];
  }
  return ENV_FIELD_PATHS.includes(label) ? [] : [fieldNotSupported(child(path, 'fieldPath'), label, ENV_FIELD_PATHS)];
}

function validateKeySelector(ref: Loose<ConfigMapKeySelector>, path: string): Errors {
  const errs = validateName(nameIsDNSSubdomain, str(ref.name), child(path, 'name'));
  if (!ref.key) errs.push(fieldRequired(child(path, 'key')));
  else errs.push(...each(child(path, 'key'), ref.key, isConfigMapKey(str(ref.key))));
  return errs;
}

function validateEnv(env: unknown, path: string): Errors {
  const errs: Errors = [];
  arr(env).forEach((ev, i) => {
    const p = index(path, i);
    if (!ev.name) errs.push(fieldRequired(child(p, 'name')));
    else errs.push(...each(child(p, 'name'), ev.name, envNameErrors(str(ev.name))));
    const from = ev.valueFrom;
    if (!from) return;
    const vp = child(p, 'valueFrom');
    let sources = 0;
    if (from.fieldRef) {
      sources++;
      errs.push(...validateFieldRef(from.fieldRef, child(vp, 'fieldRef')));
    }
    if (from.resourceFieldRef) {
      sources++;
      const rp = child(vp, 'resourceFieldRef');
      const resource = str(from.resourceFieldRef.resource);
      if (!resource) errs.push(fieldRequired(child(rp, 'resource')));
      else if (!RESOURCE_FIELD_PATHS.includes(resource) && !/^(limits|requests)\.hugepages-/.test(resource)) {
        errs.push(fieldNotSupported(child(rp, 'resource'), resource, RESOURCE_FIELD_PATHS));
      }
    }
    if (from.configMapKeyRef) {
      sources++;
      errs.push(...validateKeySelector(from.configMapKeyRef, child(vp, 'configMapKeyRef')));
    }
    if (from.secretKeyRef) {
      sources++;
      errs.push(...validateKeySelector(from.secretKeyRef, child(vp, 'secretKeyRef')));
    }
    if (sources === 0) errs.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (ev.value) errs.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): Errors {
  const errs: Errors = [];
  arr(envFrom).forEach((ev, i) => {
    const p = index(path, i);
    if (ev.prefix) errs.push(...each(child(p, 'prefix'), ev.prefix, envNameErrors(str(ev.prefix))));
    const refs = (['configMapRef', 'secretRef'] as const).filter((r) => ev[r]);
    for (const r of refs) {
      const name = str(ev[r].name);
      if (!name) errs.push(fieldRequired(child(p, r, 'name')));
      else errs.push(...each(child(p, r, 'name'), name, nameIsDNSSubdomain(name, true)));
    }
    if (refs.length === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (refs.length > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** Lifecycle hooks and probes share the handler fields; each has a few of its own. */
type Handler = Loose<LifecycleHandler> & Loose<Probe>;

function validateHandler(handler: Handler, gracePeriod: number | undefined, path: string): Errors {
  const errs: Errors = [];
  let count = 0;
  for (const kind of ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const) {
    if (!handler[kind]) continue;
    const action = obj(handler[kind]);
    const p = child(path, kind);
    if (count++ > 0) {
      errs.push(fieldForbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    if (kind === 'exec' && arr(action.command).length === 0) errs.push(fieldRequired(child(p, 'command')));
    if (kind === 'httpGet') {
      if (!action.path) errs.push(fieldRequired(child(p, 'path')));
      errs.push(...validatePortNumOrName(action.port, child(p, 'port')));
      if (!['HTTP', 'HTTPS'].includes(action.scheme)) errs.push(fieldNotSupported(child(p, 'scheme'), action.scheme ?? '', ['HTTP', 'HTTPS']));
      for (const h of arr(action.httpHeaders)) errs.push(...each(child(p, 'httpHeaders'), str(h.name), isHTTPHeaderName(str(h.name))));
    }
    if (kind === 'tcpSocket' || kind === 'grpc') errs.push(...validatePortNumOrName(action.port, child(p, 'port')));
    const seconds = Number(action.seconds ?? 0);
    if (kind === 'sleep' && gracePeriod !== undefined && (seconds <= 0 || seconds > gracePeriod)) {
      errs.push(invalid(p, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`));
    }
  }
  if (count === 0) errs.push(fieldRequired(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Loose<Probe> | undefined, kind: 'liveness' | 'readiness' | 'startup', gracePeriod: number | undefined, path: string): Errors {
  if (!probe) return [];
  const errs = validateHandler(probe, gracePeriod, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...nonNegative(probe[f], child(path, f)));
  }
  if (isSet(probe.terminationGracePeriodSeconds) && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (kind !== 'readiness' && (probe.successThreshold ?? 0) !== 1) errs.push(invalid(child(path, 'successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  if (kind === 'readiness' && isSet(probe.terminationGracePeriodSeconds)) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

function validateLifecycleAndProbes(c: Loose<Container>, gracePeriod: number | undefined, path: string): Errors {
  const errs: Errors = [];
  for (const hook of ['postStart', 'preStop'] as const) if (c.lifecycle?.[hook]) errs.push(...validateHandler(c.lifecycle[hook], gracePeriod, child(path, 'lifecycle', hook)));
  errs.push(...validateProbe(c.livenessProbe, 'liveness', gracePeriod, child(path, 'livenessProbe')));
  errs.push(...validateProbe(c.readinessProbe, 'readiness', gracePeriod, child(path, 'readinessProbe')));
  errs.push(...validateProbe(c.startupProbe, 'startup', gracePeriod, child(path, 'startupProbe')));
  return errs;
}

function validateSecurityContext(sc: Loose<SecurityContext> | undefined, path: string): Errors {
  if (!sc) return [];
  const errs: Errors = [];
  if (isSet(sc.runAsUser)) errs.push(...each(child(path, 'runAsUser'), sc.runAsUser, isValidUserID(sc.runAsUser)));
  if (isSet(sc.runAsGroup)) errs.push(...each(child(path, 'runAsGroup'), sc.runAsGroup, isValidGroupID(sc.runAsGroup)));
  if (sc.allowPrivilegeEscalation === false && sc.privileged === true) {
    errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  return errs;
}

function validateContainerCommon(c: Loose<Container>, volumes: Map<string, unknown>, path: string): Errors {
  const errs: Errors = [];
  if (!c.name) errs.push(fieldRequired(child(path, 'name')));
  else errs.push(...validateDNS1123Label(str(c.name), child(path, 'name')));
  if (!c.image) errs.push(fieldRequired(child(path, 'image')));
  const policy = c.terminationMessagePolicy;
  if (!policy) errs.push(fieldRequired(child(path, 'terminationMessagePolicy')));
  else if (!['File', 'FallbackToLogsOnError'].includes(policy)) errs.push(fieldNotSupported(child(path, 'terminationMessagePolicy'), policy, ['File', 'FallbackToLogsOnError']));
  errs.push(...validatePorts(c.ports, child(path, 'ports')));
  errs.push(...validateEnv(c.env, child(path, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, child(path, 'envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, c, child(path, 'volumeMounts')));
  if (!c.imagePullPolicy) errs.push(fieldRequired(child(path, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(fieldNotSupported(child(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  errs.push(...validateContainerResources(c.resources, child(path, 'resources')));
  errs.push(...validateSecurityContext(c.securityContext, child(path, 'securityContext')));
  return errs;
}

/** AccumulateUniqueHostPorts: a protocol/hostIP/hostPort triple may be used once. */
function hostPortConflicts(containers: Loose<Container>[], path: string): Errors {
  const seen = new Set<string>();
  const errs: Errors = [];
  containers.forEach((c, ci) => {
    arr(c.ports).forEach((port, pi) => {
      if (!port.hostPort) return;
      const id = `${str(port.protocol)}/${str(port.hostIP)}/${port.hostPort}`;
      if (seen.has(id)) errs.push(duplicateRendered(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), JSON.stringify(id)));
      seen.add(id);
    });
  });
  return errs;
}

export function validateContainers(containers: unknown, volumes: Map<string, unknown>, gracePeriod: number | undefined, path: string): Errors {
  const list = arr<Loose<Container>>(containers);
  if (list.length === 0) return [fieldRequired(path)];
  const errs: Errors = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(str(c.name))) errs.push(fieldDuplicate(child(p, 'name'), str(c.name)));
    else names.add(str(c.name));
    errs.push(...validateLifecycleAndProbes(c, gracePeriod, p));
    if (isSet(c.restartPolicy)) errs.push(fieldForbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  return [...errs, ...hostPortConflicts(list, path)];
}

export function validateInitContainers(containers: unknown, regular: unknown, volumes: Map<string, unknown>, gracePeriod: number | undefined, path: string): Errors {
  const errs: Errors = [];
  const names = new Set(arr(regular).map((c) => str(c.name)));
  arr<Loose<Container>>(containers).forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    if (isSet(c.restartPolicy) && c.restartPolicy !== 'Always') errs.push(fieldNotSupported(child(p, 'restartPolicy'), c.restartPolicy, ['Always']));
    if (names.has(str(c.name))) errs.push(fieldDuplicate(child(p, 'name'), str(c.name)));
    else if (c.name) names.add(str(c.name));
    errs.push(...hostPortConflicts([c], path));
    if (c.restartPolicy === 'Always') {
      errs.push(...validateLifecycleAndProbes(c, gracePeriod, p));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (c[f]) errs.push(fieldForbidden(child(p, f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

/** validateContainersOnlyForPod: checks a Pod gets that a pod template does not. */
export function validateContainersOnlyForPod(containers: unknown, path: string): Errors {
  return arr(containers).flatMap((c, i) =>
    typeof c.image === 'string' && c.image !== c.image.trim() ? [invalid(child(index(path, i), 'image'), c.image, 'must not have leading or trailing whitespace')] : [],
  );
}

