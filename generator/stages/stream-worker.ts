/**
 * The cluster worker: takes the next cluster nobody has taken (stream-worker-client.ts), renders it
 * (or, when it is unchanged, checks its recorded files on disk: stream.ts) and posts its files to the
 * main thread, never more than LOOKAHEAD results ahead of what the main thread has taken. Template
 * and assembly problems travel as data; anything else is reported as fatal, and the main thread throws it.
 * It loads its modules and templates as soon as it starts, then waits for its work: the first message on its port.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { loadCatalog } from '../templating/catalog.ts';
import type { ClusterRecord } from './inputs.ts';
import { readRenderRecord } from './render-record.ts';
import { byCluster, renderCluster } from './stream.ts';
import { LOOKAHEAD, NEXT, POSTED, TAKEN, type WorkerInput, type WorkerMessage } from './stream-worker-client.ts';

const { port } = workerData as { port: MessagePort };

// Ready before the work arrives: the modules are loaded, the templates compiled (the main thread has linted them).
let catalog: ReturnType<typeof loadCatalog> | null = null;
let startFailure: unknown = null;
try {
  catalog = loadCatalog(undefined, { lint: false });
} catch (e) {
  startFailure = e;
}

port.once('message', (input: WorkerInput) => {
  const shared = new Int32Array(input.counters);
  const post = (m: WorkerMessage) => {
    port.postMessage(m);
    Atomics.add(shared, POSTED, 1);
    Atomics.notify(shared, POSTED);
  };
  let index = -1;
  try {
    if (startFailure !== null) throw startFailure;
    const references = byCluster(new Map(input.references));
    const byName = new Map(input.topology.clusters.map((c) => [c.name, c]));
    const from = input.reuse?.from;
    const records = from ? readRenderRecord(from.recordDir, from.meshDir).records : new Map<string, ClusterRecord>();
    const reuseFor = (name: string) => (input.reuse ? { base: input.reuse.base, dir: input.reuse.dir, record: records.get(name) } : null);
    for (;;) {
      // Bounded look-ahead: wait while LOOKAHEAD results are posted and not yet taken.
      while (Atomics.load(shared, POSTED) - Atomics.load(shared, TAKEN) >= LOOKAHEAD) Atomics.wait(shared, TAKEN, Atomics.load(shared, TAKEN), 200);
      index = Atomics.add(shared, NEXT, 1);
      if (index >= input.clusters.length) break;
      const name = input.clusters[index]!;
      post({ index, cluster: name, result: renderCluster(input.topology, byName.get(name)!, catalog!, input.releases, references.get(name) ?? new Map(), reuseFor(name)) });
    }
  } catch (e) {
    post({ index, cluster: input.clusters[index] ?? '', fatal: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  port.close();
});
