// The continue token of paged lists: the revision the first page was read at and the key to go on
// after, as kube-apiserver's (meta.k8s.io/v1) token carries them.

import { badRequest } from '../machinery/errors.js';

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
}

export function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (typeof t.rv === 'number' && typeof t.start === 'string') return t;
  } catch {
    /* fall through */
  }
  throw badRequest('continue key is not valid: illegal base64 data');
}

