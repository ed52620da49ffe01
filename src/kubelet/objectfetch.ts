// The ConfigMaps and Secrets a pod refers to, read when its containers or volumes are set up; a
// missing one is left out (the caller reports it as upstream words it).

import type { Client, TypedRef } from '../client/client.js';
import { isStatusError } from '../machinery/errors.js';

export async function fetchNamed<T>(client: Client, ref: TypedRef<T>, namespace: string, names: Iterable<string>): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for (const name of new Set(names)) {
    try {
      out.set(name, (await client.resource(ref).get(namespace, name)) as T);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
  return out;
}
