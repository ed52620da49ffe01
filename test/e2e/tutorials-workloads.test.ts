// The stateful-application tutorials of seed 001 with the real kubectl: WordPress and MySQL on
// PersistentVolumes through `kubectl apply -k` (section 2), and Cassandra as a StatefulSet with
// volumeClaimTemplates on the `fast` StorageClass, scaled by `kubectl edit` (section 3).

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, table, type Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

const MYSQL_DEPLOYMENT = `apiVersion: v1
kind: Service
metadata:
  name: wordpress-mysql
  labels:
    app: wordpress
spec:
  ports:
    - port: 3306
  selector:
    app: wordpress
    tier: mysql
  clusterIP: None
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: mysql-pv-claim
  labels:
    app: wordpress
spec:
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 20Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wordpress-mysql
  labels:
    app: wordpress
spec:
  selector:
    matchLabels:
      app: wordpress
      tier: mysql
  strategy:
    type: Recreate
  template:
    metadata:
      labels:
        app: wordpress
        tier: mysql
    spec:
      containers:
      - image: mysql:5.6
        name: mysql
        env:
        - name: MYSQL_ROOT_PASSWORD
          valueFrom:
            secretKeyRef:
              name: mysql-pass
              key: password
        ports:
        - containerPort: 3306
          name: mysql
        volumeMounts:
        - name: mysql-persistent-storage
          mountPath: /var/lib/mysql
      volumes:
      - name: mysql-persistent-storage
        persistentVolumeClaim:
          claimName: mysql-pv-claim
`;

const WORDPRESS_DEPLOYMENT = `apiVersion: v1
kind: Service
metadata:
  name: wordpress
  labels:
    app: wordpress
spec:
  ports:
    - port: 80
  selector:
    app: wordpress
    tier: frontend
  type: LoadBalancer
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: wp-pv-claim
  labels:
    app: wordpress
spec:
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 20Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wordpress
  labels:
    app: wordpress
spec:
  selector:
    matchLabels:
      app: wordpress
      tier: frontend
  strategy:
    type: Recreate
  template:
    metadata:
      labels:
        app: wordpress
        tier: frontend
    spec:
      containers:
      - image: wordpress:4.8-apache
        name: wordpress
        env:
        - name: WORDPRESS_DB_HOST
          value: wordpress-mysql
        - name: WORDPRESS_DB_PASSWORD
          valueFrom:
            secretKeyRef:
              name: mysql-pass
              key: password
        ports:
        - containerPort: 80
          name: wordpress
        volumeMounts:
        - name: wordpress-persistent-storage
          mountPath: /var/www/html
      volumes:
      - name: wordpress-persistent-storage
        persistentVolumeClaim:
          claimName: wp-pv-claim
`;

// Both heredocs of the tutorial, the second appended to the first.
const KUSTOMIZATION = `secretGenerator:
- name: mysql-pass
  literals:
  - password=YOUR_PASSWORD
resources:
  - mysql-deployment.yaml
  - wordpress-deployment.yaml
`;

const CASSANDRA_SERVICE = `apiVersion: v1
kind: Service
metadata:
  labels:
    app: cassandra
  name: cassandra
spec:
  clusterIP: None
  ports:
  - port: 9042
  selector:
    app: cassandra
`;

const CASSANDRA_STATEFULSET = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cassandra
  labels:
    app: cassandra
spec:
  serviceName: cassandra
  replicas: 3
  selector:
    matchLabels:
      app: cassandra
  template:
    metadata:
      labels:
        app: cassandra
    spec:
      terminationGracePeriodSeconds: 1800
      containers:
      - name: cassandra
        image: gcr.io/google-samples/cassandra:v13
        imagePullPolicy: Always
        ports:
        - containerPort: 7000
          name: intra-node
        - containerPort: 7001
          name: tls-intra-node
        - containerPort: 7199
          name: jmx
        - containerPort: 9042
          name: cql
        resources:
          limits:
            cpu: "500m"
            memory: 1Gi
          requests:
            cpu: "500m"
            memory: 1Gi
        securityContext:
          capabilities:
            add:
              - IPC_LOCK
        lifecycle:
          preStop:
            exec:
              command: 
              - /bin/sh
              - -c
              - nodetool drain
        env:
          - name: MAX_HEAP_SIZE
            value: 512M
          - name: HEAP_NEWSIZE
            value: 100M
          - name: CASSANDRA_SEEDS
            value: "cassandra-0.cassandra.default.svc.cluster.local"
          - name: CASSANDRA_CLUSTER_NAME
            value: "K8Demo"
          - name: CASSANDRA_DC
            value: "DC1-K8Demo"
          - name: CASSANDRA_RACK
            value: "Rack1-K8Demo"
          - name: POD_IP
            valueFrom:
              fieldRef:
                fieldPath: status.podIP
        readinessProbe:
          exec:
            command:
            - /bin/bash
            - -c
            - /ready-probe.sh
          initialDelaySeconds: 15
          timeoutSeconds: 5
        # These volume mounts are persistent. They are like inline claims,
        # but not exactly because the names need to match exactly one of
        # the stateful pod volumes.
        volumeMounts:
        - name: cassandra-data
          mountPath: /cassandra_data
  # These are converted to volume claims by the controller
  # and mounted at the paths mentioned above.
  # do not use these in production until ssd GCEPersistentDisk or other ssd pd
  volumeClaimTemplates:
  - metadata:
      name: cassandra-data
    spec:
      accessModes: [ "ReadWriteOnce" ]
      storageClassName: fast
      resources:
        requests:
          storage: 1Gi
---
kind: StorageClass
apiVersion: storage.k8s.io/v1
metadata:
  name: fast
provisioner: k8s.io/minikube-hostpath
parameters:
  type: pd-ssd
`;

// kustomize names the generated Secret <name>-<hash of its content>; the content is fixed here.
const SECRET = 'mysql-pass-5m26tmdb5k';
const HASH = '[bcdfghjklmnpqrstvwxz2456789]';

/** Rows of a table keyed by header, so a column added by a newer server does not shift the others. */
function rows(text: string): Array<Record<string, string>> {
  const [head, ...body] = table(text);
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

describe('WordPress and MySQL with PersistentVolumes (seed 001, section 2)', () => {
  let c: Cluster;
  let dir: string;
  before(async () => {
    c = await startCluster(['--sim-start-delay', '100ms', '--sim-stop-delay', '100ms']);
    dir = path.join(c.home, 'wordpress');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'kustomization.yaml'), KUSTOMIZATION);
    writeFileSync(path.join(dir, 'mysql-deployment.yaml'), MYSQL_DEPLOYMENT);
    writeFileSync(path.join(dir, 'wordpress-deployment.yaml'), WORDPRESS_DEPLOYMENT);
  });
  after(async () => {
    await c?.destroy();
  });

  it('kubectl apply -k ./ creates the generated Secret, the Services, the claims and the Deployments in kustomize order', async () => {
    assert.deepEqual((await c.ok(['apply', '-k', dir])).trim().split('\n'), [
      `secret/${SECRET} created`,
      'service/wordpress created',
      'service/wordpress-mysql created',
      'persistentvolumeclaim/mysql-pv-claim created',
      'persistentvolumeclaim/wp-pv-claim created',
      'deployment.apps/wordpress created',
      'deployment.apps/wordpress-mysql created',
    ]);
  });

  it('kubectl get secrets lists the Opaque secret with one key', async () => {
    const out = await c.ok(['get', 'secrets']);
    const [head] = table(out);
    assert.deepEqual(head, ['NAME', 'TYPE', 'DATA', 'AGE']);
    const secrets = rows(out);
    assert.deepEqual(
      secrets.map((s) => [s.NAME, s.TYPE, s.DATA]),
      [[SECRET, 'Opaque', '1']],
    );
  });

  it('kubectl get pvc shows both claims Bound to dynamically provisioned 20Gi RWO volumes of class standard', async () => {
    const claims = await eventually(async () => {
      const r = rows(await c.ok(['get', 'pvc']));
      assert.deepEqual(r.map((x) => x.STATUS), ['Bound', 'Bound']);
      return r;
    });
    assert.deepEqual(claims.map((x) => x.NAME), ['mysql-pv-claim', 'wp-pv-claim']);
    for (const claim of claims) {
      assert.match(claim.VOLUME, /^pvc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(claim.CAPACITY, '20Gi');
      assert.equal(claim['ACCESS MODES'], 'RWO');
      assert.equal(claim.STORAGECLASS, 'standard');
    }
    const pvs = rows(await c.ok(['get', 'pv']));
    assert.deepEqual(pvs.map((v) => v.NAME).sort(), claims.map((x) => x.VOLUME).sort());
    assert.deepEqual(pvs.map((v) => v.CLAIM).sort(), ['default/mysql-pv-claim', 'default/wp-pv-claim']);
    for (const pv of pvs) assert.deepEqual([pv.STATUS, pv['RECLAIM POLICY'], pv.CAPACITY], ['Bound', 'Delete', '20Gi']);
  });

  it('kubectl get pods shows one Running pod per Deployment, named <deployment>-<pod-template-hash>-<suffix>', async () => {
    const pods = await eventually(async () => {
      const r = rows(await c.ok(['get', 'pods']));
      assert.equal(r.length, 2);
      for (const p of r) assert.deepEqual([p.READY, p.STATUS, p.RESTARTS], ['1/1', 'Running', '0'], p.NAME);
      return r;
    }, 30_000);
    const names = pods.map((p) => p.NAME).sort();
    assert.match(names[0], new RegExp(`^wordpress-${HASH}{6,10}-${HASH}{5}$`));
    assert.match(names[1], new RegExp(`^wordpress-mysql-${HASH}{6,10}-${HASH}{5}$`));
  });

  it('kubectl get services wordpress shows a LoadBalancer with an external IP and a node port', async () => {
    const svc = await eventually(async () => {
      const out = await c.ok(['get', 'services', 'wordpress']);
      assert.deepEqual(table(out)[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      const [row] = rows(out);
      assert.notEqual(row['EXTERNAL-IP'], '<pending>');
      return row;
    });
    assert.equal(svc.NAME, 'wordpress');
    assert.equal(svc.TYPE, 'LoadBalancer');
    assert.match(svc['CLUSTER-IP'], /^10\.\d+\.\d+\.\d+$/);
    assert.match(svc['EXTERNAL-IP'], /^127\.0\.0\.\d+$/);
    const port = /^80:(\d+)\/TCP$/.exec(svc['PORT(S)']);
    assert.ok(port, svc['PORT(S)']);
    assert.ok(Number(port[1]) >= 30000 && Number(port[1]) <= 32767, port[1]);
    const mysql = rows(await c.ok(['get', 'services', 'wordpress-mysql']))[0];
    assert.deepEqual([mysql.TYPE, mysql['CLUSTER-IP'], mysql['EXTERNAL-IP'], mysql['PORT(S)']], ['ClusterIP', 'None', '<none>', '3306/TCP']);
  });

  it('kubectl delete -k ./ deletes the Secret, Services, claims and Deployments; their pods and volumes go too', async () => {
    assert.deepEqual((await c.ok(['delete', '-k', dir])).trim().split('\n'), [
      `secret "${SECRET}" deleted`,
      'service "wordpress" deleted',
      'service "wordpress-mysql" deleted',
      'persistentvolumeclaim "mysql-pv-claim" deleted',
      'persistentvolumeclaim "wp-pv-claim" deleted',
      'deployment.apps "wordpress" deleted',
      'deployment.apps "wordpress-mysql" deleted',
    ]);
    await eventually(async () => {
      for (const kind of ['pods', 'pvc', 'secrets', 'deployments', 'replicasets']) {
        const r = await c.kubectl(['get', kind]);
        assert.equal(r.code, 0);
        assert.equal(r.stdout, '', kind);
        assert.equal(r.stderr, 'No resources found in default namespace.\n', kind);
      }
      const pv = await c.kubectl(['get', 'pv']);
      assert.equal(pv.stdout, '', 'the Delete reclaim policy removes the provisioned volumes');
      assert.equal(pv.stderr, 'No resources found\n');
    }, 30_000);
    assert.deepEqual(
      rows(await c.ok(['get', 'services'])).map((s) => s.NAME),
      ['kubernetes'],
    );
  });
});

describe('Cassandra as a StatefulSet (seed 001, section 3)', () => {
  let c: Cluster;
  const editorEnv = process.env.KUBE_EDITOR;
  before(async () => {
    c = await startCluster(['--nodes', '3', '--sim-start-delay', '100ms', '--sim-stop-delay', '100ms']);
  });
  after(async () => {
    if (editorEnv === undefined) delete process.env.KUBE_EDITOR;
    else process.env.KUBE_EDITOR = editorEnv;
    await c?.destroy();
  });

  const pods = async () => rows(await c.ok(['get', 'pods', '-l=app=cassandra']));
  const statefulSet = async () => rows(await c.ok(['get', 'statefulset', 'cassandra']))[0];

  it('creates the headless Service; kubectl get svc cassandra shows ClusterIP None', async () => {
    assert.equal(await c.ok(['apply', '-f', c.writeFile('cassandra-service.yaml', CASSANDRA_SERVICE)]), 'service/cassandra created\n');
    const out = await c.ok(['get', 'svc', 'cassandra']);
    assert.deepEqual(table(out)[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const [svc] = rows(out);
    assert.deepEqual([svc.NAME, svc.TYPE, svc['CLUSTER-IP'], svc['EXTERNAL-IP'], svc['PORT(S)']], ['cassandra', 'ClusterIP', 'None', '<none>', '9042/TCP']);
  });

  it('creates the StatefulSet and the StorageClass fast; pods come up one by one, each once the one before is ready', async () => {
    assert.equal(
      await c.ok(['apply', '-f', c.writeFile('cassandra-statefulset.yaml', CASSANDRA_STATEFULSET)]),
      'statefulset.apps/cassandra created\nstorageclass.storage.k8s.io/fast created\n',
    );
    const early = await statefulSet();
    assert.equal(early.NAME, 'cassandra');
    assert.match(early.READY, /^[0-1]\/3$/);
    // The readiness probe's initialDelaySeconds (15s) holds each pod unready, so cassandra-1 waits for it.
    const first = await eventually(async () => {
      const r = await pods();
      assert.equal(r.length, 1);
      assert.equal(r[0].STATUS, 'Running');
      return r[0];
    });
    assert.deepEqual([first.NAME, first.READY], ['cassandra-0', '0/1']);
    await eventually(async () => assert.deepEqual(((await pods()).map((p) => [p.NAME, p.READY]))[0], ['cassandra-0', '1/1']), 25_000);
    const ready = await eventually(async () => {
      const r = await pods();
      assert.deepEqual(r.map((p) => [p.NAME, p.READY, p.STATUS]), [
        ['cassandra-0', '1/1', 'Running'],
        ['cassandra-1', '1/1', 'Running'],
        ['cassandra-2', '1/1', 'Running'],
      ]);
      return r;
    }, 60_000);
    for (const p of ready) assert.equal(p.RESTARTS, '0');
    const sts = await statefulSet();
    assert.equal(sts.READY, '3/3');
    assert.deepEqual(table(await c.ok(['get', 'statefulset', 'cassandra']))[0], ['NAME', 'READY', 'AGE']);
  });

  it('each pod has its own claim cassandra-data-cassandra-N, Bound on the fast class and labelled app=cassandra', async () => {
    const claims = rows(await c.ok(['get', 'pvc', '-l', 'app=cassandra']));
    assert.deepEqual(
      claims.map((x) => [x.NAME, x.STATUS, x.CAPACITY, x['ACCESS MODES'], x.STORAGECLASS]),
      [0, 1, 2].map((i) => [`cassandra-data-cassandra-${i}`, 'Bound', '1Gi', 'RWO', 'fast']),
    );
    const pod = await c.json(['get', 'pod', 'cassandra-0']);
    const volume = pod.spec.volumes.find((v: { name: string }) => v.name === 'cassandra-data');
    assert.deepEqual(volume.persistentVolumeClaim, { claimName: 'cassandra-data-cassandra-0' });
  });

  it('kubectl exec nodetool is refused on simulated pods with a message naming the runtime', async () => {
    const r = await c.kubectl(['exec', 'cassandra-0', '--', 'nodetool', 'status']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /exec is not available: pod cassandra-0 runs on the simulated runtime/);
  });

  it('kubectl edit statefulset cassandra with replicas 3 changed to 4 scales to 4 pods and a fourth claim', async () => {
    const editor = c.writeFile('edit-replicas.sh', "#!/bin/sh\nsed -i 's/replicas: 3/replicas: 4/' \"$1\"\n");
    chmodSync(editor, 0o755);
    process.env.KUBE_EDITOR = editor;
    assert.equal(await c.ok(['edit', 'statefulset', 'cassandra']), 'statefulset.apps/cassandra edited\n');
    await eventually(async () => {
      assert.deepEqual((await pods()).map((p) => [p.NAME, p.READY, p.STATUS]), [
        ['cassandra-0', '1/1', 'Running'],
        ['cassandra-1', '1/1', 'Running'],
        ['cassandra-2', '1/1', 'Running'],
        ['cassandra-3', '1/1', 'Running'],
      ]);
    }, 30_000);
    assert.equal((await statefulSet()).READY, '4/4');
    const claims = rows(await c.ok(['get', 'pvc', '-l', 'app=cassandra']));
    assert.deepEqual(claims.map((x) => [x.NAME, x.STATUS]), [0, 1, 2, 3].map((i) => [`cassandra-data-cassandra-${i}`, 'Bound']));
  });

  it('cleans up as the tutorial does: grace period from the pod, delete the StatefulSet, then the claims, then the Service', async () => {
    const grace = await c.ok(['get', 'pod', 'cassandra-0', '-o=jsonpath={.spec.terminationGracePeriodSeconds}']);
    assert.equal(grace, '1800');
    assert.equal(await c.ok(['delete', 'statefulset', '-l', 'app=cassandra']), 'statefulset.apps "cassandra" deleted\n');
    // The tutorial sleeps the whole grace period; the pods end sooner, when their containers stop.
    await eventually(async () => {
      const r = await c.kubectl(['get', 'pods', '-l', 'app=cassandra']);
      assert.equal(r.stderr, 'No resources found in default namespace.\n');
    }, 30_000);
    const claims = rows(await c.ok(['get', 'pvc', '-l', 'app=cassandra']));
    assert.equal(claims.length, 4, 'deleting the StatefulSet keeps its claims');
    assert.equal(
      await c.ok(['delete', 'persistentvolumeclaim', '-l', 'app=cassandra']),
      [0, 1, 2, 3].map((i) => `persistentvolumeclaim "cassandra-data-cassandra-${i}" deleted\n`).join(''),
    );
    assert.equal(await c.ok(['delete', 'service', '-l', 'app=cassandra']), 'service "cassandra" deleted\n');
    await eventually(async () => {
      assert.equal((await c.kubectl(['get', 'pvc'])).stderr, 'No resources found in default namespace.\n');
      assert.equal((await c.kubectl(['get', 'pv'])).stderr, 'No resources found\n');
    });
    assert.deepEqual(rows(await c.ok(['get', 'svc'])).map((s) => s.NAME), ['kubernetes']);
  });
});
