import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR, addQuantity, canonicalQuantity, compareQuantity, formatQuantity, parseQuantity,
  quantityError, quantityMilliValue, quantityValue, roundUpQuantity,
} from './quantity.js';

test('canonical forms match what the API server writes back', () => {
  const cases: Array<[string, string]> = [
    ['1.5', '1500m'],
    ['0.5', '500m'],
    ['0.1', '100m'],
    ['1000', '1k'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['2048Ki', '2Mi'],
    ['0.5Ki', '512'],
    ['129e6', '129e6'],
    ['129M', '129M'],
    ['128974848', '128974848'],
    ['0Mi', '0'],
    ['-1', '-1'],
    ['1.G', '1G'],
  ];
  for (const [input, canonical] of cases) assert.equal(canonicalQuantity(input), canonical, input);
});

test('parse errors use the upstream messages', () => {
  assert.equal(quantityError('abc'), QUANTITY_FORMAT_ERROR);
  assert.equal(quantityError(''), QUANTITY_FORMAT_ERROR);
  assert.equal(quantityError('1Qi'), QUANTITY_FORMAT_ERROR);
  assert.equal(quantityError('1ki'), QUANTITY_SUFFIX_ERROR);
  assert.equal(quantityError('10Gi'), undefined);
});

test('comparison and arithmetic are exact across suffixes', () => {
  assert.equal(compareQuantity(parseQuantity('1Gi'), parseQuantity('1000Mi')), 1);
  assert.equal(compareQuantity(parseQuantity('1'), parseQuantity('1000m')), 0);
  assert.equal(formatQuantity(addQuantity(parseQuantity('500m'), parseQuantity('1.5'))), '2');
  assert.equal(formatQuantity(addQuantity(parseQuantity('512Mi'), parseQuantity('512Mi'))), '1Gi');
});

test('values below nano round up, and milli rounding goes away from zero', () => {
  assert.equal(canonicalQuantity('0.0000000001'), '1n');
  assert.equal(formatQuantity(roundUpQuantity(parseQuantity('0.0001'), -3)), '1m');
  assert.equal(quantityMilliValue(parseQuantity('1.5')), 1500);
  assert.equal(quantityValue(parseQuantity('100m')), 1);
  assert.equal(quantityValue(parseQuantity('1Ki')), 1024);
});
