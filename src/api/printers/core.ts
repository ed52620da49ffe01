// Simple core/v1 tables: Namespace, ConfigMap, Secret, ServiceAccount.

import { age } from './format.js';
import { ageColumn, column, nameColumn } from './columns.js';
import type { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import type { TablePrinter } from './types.js';

const count = (v: unknown): number => (Array.isArray(v) ? v.length : Object.keys(v ?? {}).length);

export const namespacePrinter: TablePrinter<Loose<Namespace>> = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  cells(ns, now) {
    return [ns.metadata?.name ?? '', ns.status?.phase ?? '', age(ns, now)];
  },
};

export const configMapPrinter: TablePrinter<Loose<ConfigMap>> = {
  columns: [
    nameColumn(),
    column('Data', 'string', "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
    ageColumn(),
  ],
  cells(cm, now) {
    return [cm.metadata?.name ?? '', count(cm.data) + count(cm.binaryData), age(cm, now)];
  },
};

export const secretPrinter: TablePrinter<Loose<Secret>> = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    column('Data', 'string', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
    ageColumn(),
  ],
  cells(secret, now) {
    return [secret.metadata?.name ?? '', secret.type ?? '', count(secret.data), age(secret, now)];
  },
};

export const serviceAccountPrinter: TablePrinter<Loose<ServiceAccount>> = {
  columns: [
    nameColumn(),
    column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret'),
    ageColumn(),
  ],
  cells(sa, now) {
    return [sa.metadata?.name ?? '', count(sa.secrets), age(sa, now)];
  },
};
