// TokensController (pkg/controller/serviceaccount/tokens_controller.go): a Secret of type
// kubernetes.io/service-account-token naming a service account gets its token, ca.crt and namespace
// filled in; a token Secret whose service account is gone (or was recreated) is deleted.

import type { Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export interface TokensControllerOptions {
  caPem: string;
  /** Signs a legacy token for the service account `sa` (name and uid) held in Secret `secretName`. */
  sign(namespace: string, sa: { name: string; uid: string }, secretName: string): string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export class TokensController implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private secrets: Informer<Secret>;
  private serviceAccounts: Informer<ServiceAccount>;

  constructor(
    ctx: ControllerContext,
    private opts: TokensControllerOptions,
  ) {
    this.client = ctx.client;
    this.queue = new WorkQueue(ctx.clock);
    this.secrets = ctx.informers.get(REFS.secrets);
    this.serviceAccounts = ctx.informers.get(REFS.serviceaccounts);
    const onSecret = (s: Secret) => {
      if (s.type === SERVICE_ACCOUNT_TOKEN_TYPE) this.queue.add(`${s.metadata?.namespace}/${s.metadata?.name}`);
    };
    this.secrets.addHandler({ add: onSecret, update: (_o, s) => onSecret(s) });
    this.secrets.addIndex('serviceAccount', (s) => (s.type === SERVICE_ACCOUNT_TOKEN_TYPE ? [`${s.metadata.namespace}/${s.metadata.annotations?.[SA_NAME_ANNOTATION] ?? ''}`] : []));
    this.serviceAccounts.addHandler({
      delete: (sa) => {
        for (const s of this.secrets.byIndex('serviceAccount', `${sa.metadata.namespace}/${sa.metadata.name}`)) this.queue.add(`${s.metadata.namespace}/${s.metadata.name}`);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const secret = this.secrets.getByName(ns, name);
    if (!secret || secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || secret.metadata.deletionTimestamp) return;
    const annotations = secret.metadata.annotations ?? {};
    const saName = annotations[SA_NAME_ANNOTATION];
    const sa = saName ? this.serviceAccounts.getByName(ns, saName) : undefined;
    const wantUid = annotations[SA_UID_ANNOTATION];
    try {
      if (!sa || (wantUid && wantUid !== sa.metadata.uid)) {
        await this.client.resource(REFS.secrets).delete(ns, name, { preconditions: { uid: secret.metadata.uid } });
        return;
      }
      const data = secret.data ?? {};
      const caCrt = b64(this.opts.caPem);
      if (data.token && data['ca.crt'] === caCrt && data.namespace === b64(ns) && wantUid) return;
      const next = structuredClone(secret);
      next.metadata.annotations = { ...annotations, [SA_UID_ANNOTATION]: sa.metadata.uid };
      next.data = {
        ...data,
        'ca.crt': caCrt,
        namespace: b64(ns),
        token: data.token ?? b64(this.opts.sign(ns, { name: sa.metadata.name, uid: sa.metadata.uid }, name)),
      };
      await this.client.resource(REFS.secrets).update(ns, next);
    } catch (e) {
      // Deleted or changed meanwhile: the informer event for that change brings the key back.
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
    }
  }
}
