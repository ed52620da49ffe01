// Pods and pod templates: ValidatePodSpec, ValidatePodTemplateSpec, ValidatePodCreate and ValidatePodUpdate.
import type { Pod, PodDNSConfig, PodSecurityContext, PodSpec } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { fieldForbidden, fieldNotSupported, fieldRequired } from '../../machinery/errors.js';
import { isDNS1123Subdomain, isIP, isValidGroupID, isValidUserID, nameIsDNSSubdomain } from '../../machinery/names.js';
import { validateContainers, validateContainersOnlyForPod, validateInitContainers } from './container.js';
import { deepEqual, describeDiff } from './equality.js';
import { arr, child, each, index, invalid, isSet, obj, str, type Errors } from './field.js';
import { validateDNS1123Label, validateName, validateQualifiedName } from './formats.js';
import { validateAnnotations, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validateAffinity, validateSchedulingGates, validateTolerations, validateTopologySpreadConstraints } from './scheduling.js';
import { validateLabels } from './selector.js';
import { validateVolumes } from './volume.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

function validateEnum(value: unknown, path: string, allowed: string[]): Errors {
  if (!value) return [fieldRequired(path)];
  return allowed.includes(str(value)) ? [] : [fieldNotSupported(path, value, allowed)];
}

function validateDNSConfig(config: Loose<PodDNSConfig> | undefined, policy: unknown, path: string): Errors {
  if (policy === 'None') {
    if (!config) return [fieldRequired(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(config.nameservers).length === 0) return [fieldRequired(child(path, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!config) return [];
  const errs: Errors = [];
  const nameservers = arr<string>(config.nameservers);
  if (nameservers.length > 3) errs.push(invalid(child(path, 'nameservers'), nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => {
    if (!isIP(str(ns))) errs.push(invalid(index(child(path, 'nameservers'), i), ns, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  const searches = arr<string>(config.searches);
  if (searches.length > 32) errs.push(invalid(child(path, 'searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(invalid(child(path, 'searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    const search = str(s).replace(/\.$/, '');
    errs.push(...each(index(child(path, 'searches'), i), search, isDNS1123Subdomain(search)));
  });
  arr(config.options).forEach((o, i) => {
    if (!o.name) errs.push(fieldRequired(index(child(path, 'options'), i), 'must not be empty'));
  });
  return errs;
}

function validatePodSecurityContext(sc: Loose<PodSecurityContext> | undefined, path: string): Errors {
  if (!sc) return [];
  const errs: Errors = [];
  if (isSet(sc.fsGroup)) errs.push(...each(child(path, 'fsGroup'), sc.fsGroup, isValidGroupID(sc.fsGroup)));
  if (isSet(sc.runAsUser)) errs.push(...each(child(path, 'runAsUser'), sc.runAsUser, isValidUserID(sc.runAsUser)));
  if (isSet(sc.runAsGroup)) errs.push(...each(child(path, 'runAsGroup'), sc.runAsGroup, isValidGroupID(sc.runAsGroup)));
  arr<number>(sc.supplementalGroups).forEach((g, i) => errs.push(...each(index(child(path, 'supplementalGroups'), i), g, isValidGroupID(g))));
  return errs;
}

/** validatePodHostNetworkDeps: with hostNetwork a Pod's hostPort must equal its containerPort. */
function validateHostNetworkPorts(spec: Loose<PodSpec>, isPod: boolean, path: string): Errors {
  if (!spec.hostNetwork) return [];
  return arr(spec.containers).flatMap((c, i) =>
    arr(c.ports).flatMap((port, j) => {
      const hostPort = port.hostPort ?? 0;
      return (isPod || hostPort !== 0) && hostPort !== port.containerPort
        ? [invalid(child(index(child(index(child(path, 'containers'), i), 'ports'), j), 'hostPort'), hostPort, 'must match `containerPort` when `hostNetwork` is true')]
        : [];
    }),
  );
}

/** ValidatePodSpec. podName is set for real Pods (ephemeral volume claim names depend on it). */
export function validatePodSpec(specValue: unknown, path: string, opts: { podName?: string; isPod?: boolean } = {}): Errors {
  const spec = obj(specValue);
  const errs: Errors = [];
  if (!isSet(spec.terminationGracePeriodSeconds)) errs.push(fieldRequired(child(path, 'terminationGracePeriodSeconds')));
  const gracePeriod = isSet(spec.terminationGracePeriodSeconds) ? Number(spec.terminationGracePeriodSeconds) : undefined;
  const volumes = validateVolumes(spec.volumes, child(path, 'volumes'), opts.podName ?? '');
  errs.push(...volumes.errs);
  errs.push(...validateContainers(spec.containers, volumes.names, gracePeriod, child(path, 'containers')));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, volumes.names, gracePeriod, child(path, 'initContainers')));
  errs.push(...validateHostNetworkPorts(spec, opts.isPod === true, path));
  errs.push(...validateEnum(spec.restartPolicy, child(path, 'restartPolicy'), RESTART_POLICIES));
  errs.push(...validateEnum(spec.dnsPolicy, child(path, 'dnsPolicy'), DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  errs.push(...validatePodSecurityContext(spec.securityContext, child(path, 'securityContext')));
  arr(spec.imagePullSecrets).forEach((s, i) => {
    if (Object.keys(obj(s)).some((k) => k !== 'name')) errs.push(invalid(index(child(path, 'imagePullSecrets'), i), s, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec.affinity, child(path, 'affinity')));
  errs.push(...validateDNSConfig(spec.dnsConfig, spec.dnsPolicy, child(path, 'dnsConfig')));
  arr(spec.readinessGates).forEach((g, i) => errs.push(...validateQualifiedName(str(g.conditionType), child(index(child(path, 'readinessGates'), i), 'conditionType'))));
  errs.push(...validateSchedulingGates(spec.schedulingGates, child(path, 'schedulingGates')));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, child(path, 'topologySpreadConstraints')));
  for (const f of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    if (spec[f]) errs.push(...validateName(nameIsDNSSubdomain, str(spec[f]), child(path, f)));
  }
  if (isSet(spec.activeDeadlineSeconds) && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > MAX_INT32)) {
    errs.push(invalid(child(path, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  if (spec.hostname) errs.push(...validateDNS1123Label(str(spec.hostname), child(path, 'hostname')));
  if (spec.subdomain) errs.push(...validateDNS1123Label(str(spec.subdomain), child(path, 'subdomain')));
  errs.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  arr(spec.hostAliases).forEach((alias, i) => {
    const p = index(child(path, 'hostAliases'), i);
    if (!isIP(str(alias.ip))) errs.push(invalid(child(p, 'ip'), str(alias.ip), 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    arr<string>(alias.hostnames).forEach((h, j) => errs.push(...each(index(child(p, 'hostnames'), j), h, isDNS1123Subdomain(str(h)))));
  });
  if (isSet(spec.preemptionPolicy)) errs.push(...validateEnum(spec.preemptionPolicy, child(path, 'preemptionPolicy'), ['PreemptLowerPriority', 'Never']));
  return errs;
}

export function validatePodTemplateSpec(templateValue: unknown, path: string): Errors {
  const template = obj(templateValue);
  const meta = obj(template.metadata);
  const errs = validateLabels(meta.labels, child(path, 'labels'));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  errs.push(...validatePodSpec(template.spec, child(path, 'spec')));
  if (arr(obj(template.spec).ephemeralContainers).length > 0) {
    errs.push(fieldForbidden(child(path, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

function validatePodMetadataAndSpec(pod: Loose<Pod>): Errors {
  const errs = validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain);
  const spec = obj(pod.spec);
  errs.push(...validatePodSpec(spec, 'spec', { podName: str(obj(pod.metadata).name), isPod: true }));
  if (!spec.serviceAccountName) {
    arr(spec.volumes).forEach((v, vi) => {
      arr(v.projected?.sources).forEach((s, si) => {
        if (s.serviceAccountToken) {
          errs.push(fieldForbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  errs.push(...validateContainersOnlyForPod(spec.containers, 'spec.containers'));
  errs.push(...validateContainersOnlyForPod(spec.initContainers, 'spec.initContainers'));
  return errs;
}

export function validatePod(pod: Loose<Pod>): Errors {
  const errs = validatePodMetadataAndSpec(pod);
  const spec = obj(pod.spec);
  if (arr(spec.ephemeralContainers).length > 0) errs.push(fieldForbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (spec.nodeName && arr(spec.schedulingGates).length > 0) {
    errs.push(fieldForbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerUpdateErrors(next: unknown, prev: unknown, path: string): { errs: Errors; stop: boolean } {
  const n = arr(next);
  if (n.length !== arr(prev).length) return { errs: [fieldForbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: Errors = [];
  n.forEach((c, i) => {
    if (!c.image) errs.push(fieldRequired(child(index(path, i), 'image')));
  });
  return { errs, stop: false };
}

function onlyAddedTolerations(next: unknown, prev: unknown, path: string): Errors {
  for (const old of arr(prev)) {
    const kept = arr(next).some((t) => deepEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!kept) return [fieldForbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, path);
}

export function validatePodUpdate(pod: Loose<Pod>, old: Loose<Pod>): Errors {
  const errs = [...validateObjectMetaUpdate(pod.metadata, old.metadata, true), ...validatePodMetadataAndSpec(pod)];
  const spec = obj(pod.spec);
  const oldSpec = obj(old.spec);
  for (const list of ['containers', 'initContainers']) {
    const r = containerUpdateErrors(spec[list], oldSpec[list], `spec.${list}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const deadline = spec.activeDeadlineSeconds;
  if (isSet(deadline)) {
    if (deadline < 0 || deadline > MAX_INT32) return [...errs, invalid('spec.activeDeadlineSeconds', deadline, `must be between 0 and ${MAX_INT32}, inclusive`)];
    if (isSet(oldSpec.activeDeadlineSeconds) && oldSpec.activeDeadlineSeconds < deadline) {
      return [...errs, invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value')];
    }
  } else if (isSet(oldSpec.activeDeadlineSeconds)) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(spec.tolerations, oldSpec.tolerations, 'spec.tolerations'));
  const gates = arr(spec.schedulingGates);
  const oldGateNames = new Set(arr(oldSpec.schedulingGates).map((g) => str(g.name)));
  gates.forEach((g, i) => {
    if (!oldGateNames.has(str(g.name))) errs.push(fieldForbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${str(g.name)}'`));
  });
  if (deepEqual(spec, oldSpec)) return errs;
  const munged: Record<string, unknown> = {
    ...spec,
    containers: arr(spec.containers).map((c, i) => ({ ...c, image: arr(oldSpec.containers)[i]?.image })),
    initContainers: arr(spec.initContainers).map((c, i) => ({ ...c, image: arr(oldSpec.initContainers)[i]?.image })),
    activeDeadlineSeconds: oldSpec.activeDeadlineSeconds,
    schedulingGates: oldSpec.schedulingGates,
    tolerations: oldSpec.tolerations,
  };
  if (oldSpec.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if (!deepEqual(munged, oldSpec)) {
    const detail = `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${describeDiff('core.PodSpec', oldSpec, munged)}`;
    errs.push(fieldForbidden('spec', detail));
  }
  return errs;
}
