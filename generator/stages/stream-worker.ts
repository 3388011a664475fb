/**
 * The cluster worker: renders its share of a fleet's clusters (three of every four; or checks on disk
 * the recorded files of those that are unchanged, stream.ts), in order, and posts each cluster's files
 * to the main thread (stream-worker-client.ts), never more than LOOKAHEAD
 * ahead of what the main thread has taken. Template and assembly problems travel as data; anything
 * else is reported as fatal, and the main thread throws it.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { loadCatalog } from '../templating/catalog.ts';
import { byCluster, renderCluster } from './stream.ts';
import { LOOKAHEAD, POSTED, TAKEN, type WorkerInput, type WorkerMessage } from './stream-worker-client.ts';

const { input, port } = workerData as { input: WorkerInput; port: MessagePort };
const shared = new Int32Array(input.counters);
const post = (m: WorkerMessage) => {
  port.postMessage(m);
  Atomics.add(shared, POSTED, 1);
  Atomics.notify(shared, POSTED);
};

let current = input.clusters[0] ?? '';
try {
  const catalog = loadCatalog();
  const references = byCluster(new Map(input.references));
  const byName = new Map(input.topology.clusters.map((c) => [c.name, c]));
  const records = new Map(input.reuse?.records ?? []);
  const reuseFor = (name: string) => (input.reuse ? { base: input.reuse.base, dir: input.reuse.dir, record: records.get(name) } : null);
  for (const [i, name] of input.clusters.entries()) {
    current = name;
    // Bounded look-ahead: wait while LOOKAHEAD results are posted and not yet taken.
    while (i - Atomics.load(shared, TAKEN) >= LOOKAHEAD) Atomics.wait(shared, TAKEN, Atomics.load(shared, TAKEN), 200);
    post({ cluster: name, result: renderCluster(input.topology, byName.get(name)!, catalog, input.releases, references.get(name) ?? new Map(), reuseFor(name)) });
  }
} catch (e) {
  post({ cluster: current, fatal: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
port.close();
