// The tutorial's manifests (test/e2e/fixtures) and variants of its StatefulSet for the cases the
// tutorial does not show (retention policies, ordinals, scripted pods).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/e2e/fixtures');

export const fixturePath = (name: string): string => path.join(FIXTURES, name);
export const fixture = (name: string): string => readFileSync(fixturePath(name), 'utf8');

export interface Variant {
  /** Set name; pods are `<name>-N`, claims `www-<name>-N`. Default `web`. */
  name?: string;
  /** Value of the `app` label in selector and template. Default `nginx`. */
  app?: string;
  /** Fields merged over the StatefulSet's spec. */
  spec?: Record<string, unknown>;
  /** Annotations on the pod template (the `sim.k8ts.io/*` scripting). */
  podAnnotations?: Record<string, string>;
}

/** The StatefulSet of web.yaml, changed as `v` says, as JSON for `kubectl apply -f -`. */
export function webStatefulSet(v: Variant = {}): string {
  const sts = parseAllDocuments(fixture('web.yaml'))
    .map((d) => d.toJS())
    .find((o) => o.kind === 'StatefulSet');
  const app = v.app ?? 'nginx';
  sts.metadata.name = v.name ?? 'web';
  sts.spec.selector.matchLabels.app = app;
  sts.spec.template.metadata.labels.app = app;
  if (v.podAnnotations) sts.spec.template.metadata.annotations = v.podAnnotations;
  Object.assign(sts.spec, v.spec ?? {});
  return JSON.stringify(sts);
}
