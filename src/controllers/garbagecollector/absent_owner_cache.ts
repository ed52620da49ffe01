// Owners verified absent, so dependents of one deleted owner need one lookup, not one each
// (pkg/controller/garbagecollector/uid_cache.go: an LRU of 500 entries upstream).

import { identityKey, type ObjectIdentity } from './identity.js';

export class AbsentOwnerCache {
  private keys = new Map<string, true>();

  constructor(private capacity = 500) {}

  add(id: ObjectIdentity): void {
    const k = identityKey(id);
    this.keys.delete(k);
    this.keys.set(k, true);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.keys().next().value!);
  }

  has(id: ObjectIdentity): boolean {
    const k = identityKey(id);
    if (!this.keys.has(k)) return false;
    this.keys.delete(k);
    this.keys.set(k, true);
    return true;
  }
}
