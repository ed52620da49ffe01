import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeSelectorRequirement, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { compileNodeSelectorTerms, compilePreferredTerms, compileRequiredNodeAffinity } from './nodeselector.js';

const node = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels } });
const term = (...matchExpressions: NodeSelectorRequirement[]) => ({ matchExpressions });

describe('node selector terms', () => {
  const n = node('k8ts-m02', { zone: 'b', cores: '16' });

  it('treats a missing label as matching NotIn and DoesNotExist only', () => {
    assert.equal(compileNodeSelectorTerms([term({ key: 'gpu', operator: 'NotIn', values: ['a100'] })])(n), true);
    assert.equal(compileNodeSelectorTerms([term({ key: 'gpu', operator: 'DoesNotExist' })])(n), true);
    assert.equal(compileNodeSelectorTerms([term({ key: 'gpu', operator: 'In', values: ['a100'] })])(n), false);
    assert.equal(compileNodeSelectorTerms([term({ key: 'gpu', operator: 'Gt', values: ['1'] })])(n), false);
  });

  it('compares Gt and Lt as integers, not strings', () => {
    assert.equal(compileNodeSelectorTerms([term({ key: 'cores', operator: 'Gt', values: ['9'] })])(n), true);
    assert.equal(compileNodeSelectorTerms([term({ key: 'cores', operator: 'Lt', values: ['9'] })])(n), false);
    assert.equal(compileNodeSelectorTerms([term({ key: 'zone', operator: 'Gt', values: ['1'] })])(n), false);
  });

  it('ignores a term that does not parse but still honours the others', () => {
    const bad = term({ key: 'cores', operator: 'Gt', values: ['many'] });
    assert.equal(compileNodeSelectorTerms([bad])(n), false);
    assert.equal(compileNodeSelectorTerms([bad, term({ key: 'zone', operator: 'In', values: ['b'] })])(n), true);
  });

  it('matches metadata.name through matchFields, and nothing with no terms or an empty term', () => {
    assert.equal(compileNodeSelectorTerms([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['k8ts-m02'] }] }])(n), true);
    assert.equal(compileNodeSelectorTerms([{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['k8ts-m02'] }] }])(n), false);
    assert.equal(compileNodeSelectorTerms([])(n), false);
    assert.equal(compileNodeSelectorTerms([{}])(n), false);
  });

  it('requires both nodeSelector and required affinity', () => {
    const pod = (spec: Partial<PodSpec>) => ({ spec }) as Pod;
    assert.equal(compileRequiredNodeAffinity(pod({})), undefined);
    const both = compileRequiredNodeAffinity(
      pod({ nodeSelector: { zone: 'b' }, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term({ key: 'cores', operator: 'Exists' })] } } } }),
    )!;
    assert.equal(both(n), true);
    assert.equal(both(node('x', { zone: 'b' })), false);
    assert.equal(both(node('y', { cores: '4' })), false);
  });

  it('sums the weights of the preferred terms a node matches', () => {
    const score = compilePreferredTerms([
      { weight: 10, preference: term({ key: 'zone', operator: 'In', values: ['b'] }) },
      { weight: 5, preference: term({ key: 'cores', operator: 'Gt', values: ['8'] }) },
      { weight: 50, preference: term({ key: 'zone', operator: 'In', values: ['a'] }) },
    ]);
    assert.equal(score(n), 15);
  });
});
