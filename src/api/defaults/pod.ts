// SetObjectDefaults_Pod / SetObjectDefaults_PodTemplate: PodSpec, container, probe and volume defaults.
// Pods additionally get SetDefaults_Pod (requests from limits, enableServiceLinks, host-network ports);
// pod templates inside workloads do not.
import type { Container, HTTPGetAction, Pod, PodSpec, PodTemplateSpec, Probe } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { defaultResourceList, defaultResourceRequirements } from './resources.js';
import { defaultObjectFieldSelector, defaultVolume, imageTag } from './volume.js';

function defaultHTTPGet(action: Loose<HTTPGetAction> | undefined): void {
  if (!action) return;
  if (!action.path) action.path = '/';
  if (!action.scheme) action.scheme = 'HTTP';
}

function defaultProbe(probe: Loose<Probe> | undefined): void {
  if (!probe) return;
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  defaultHTTPGet(probe.httpGet);
}

function defaultContainer(container: Loose<Container>): void {
  if (!container.imagePullPolicy) {
    container.imagePullPolicy = imageTag(container.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  }
  if (!container.terminationMessagePath) container.terminationMessagePath = '/dev/termination-log';
  if (!container.terminationMessagePolicy) container.terminationMessagePolicy = 'File';
  for (const port of container.ports ?? []) if (!port.protocol) port.protocol = 'TCP';
  for (const env of container.env ?? []) defaultObjectFieldSelector(env.valueFrom?.fieldRef);
  // Container.Resources is a plain struct in Go, so it is always serialized, as {} when empty.
  container.resources ??= {};
  defaultResourceRequirements(container.resources);
  defaultProbe(container.livenessProbe);
  defaultProbe(container.readinessProbe);
  defaultProbe(container.startupProbe);
  defaultHTTPGet(container.lifecycle?.postStart?.httpGet);
  defaultHTTPGet(container.lifecycle?.preStop?.httpGet);
}

/** SetDefaults_PodSpec plus the nested defaulters the generated code calls for a PodSpec. */
export function defaultPodSpec(spec: Loose<PodSpec>): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  for (const volume of spec.volumes ?? []) defaultVolume(volume);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  defaultResourceList(spec.overhead);
}

export function defaultPodTemplateSpec(template: Loose<PodTemplateSpec>): void {
  defaultPodSpec((template.spec ??= {}));
}

function copyLimitsToRequests(containers: Loose<Container[]> | undefined): void {
  for (const c of containers ?? []) {
    const resources = c.resources;
    const limits = resources?.limits;
    if (!resources || !limits) continue;
    const requests = (resources.requests ??= {});
    for (const [name, value] of Object.entries(limits)) requests[name] ??= value;
  }
}

function defaultHostNetworkPorts(containers: Loose<Container[]> | undefined): void {
  for (const c of containers ?? []) {
    for (const port of c.ports ?? []) if (!port.hostPort) port.hostPort = port.containerPort;
  }
}

export function defaultPod(pod: Loose<Pod>): void {
  const spec = (pod.spec ??= {});
  copyLimitsToRequests(spec.containers);
  copyLimitsToRequests(spec.initContainers);
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    defaultHostNetworkPorts(spec.containers);
    defaultHostNetworkPorts(spec.initContainers);
  }
  defaultPodSpec(spec);
}
