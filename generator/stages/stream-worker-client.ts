/**
 * The main thread's side of the cluster worker (stream-worker.ts): starts it with the checked
 * topology, the releases and the clusters it renders, and hands out its results in order, blocking
 * until the next one is there. The consumer of the stream is synchronous (the write stage), so
 * results are taken with receiveMessageOnPort, and the wait is an Atomics.wait on a counter the
 * worker raises after each result. The worker renders at most LOOKAHEAD clusters ahead, so memory
 * stays bounded whatever the size of the fleet.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { IstioRelease } from '../istio/release.ts';
import type { Cluster, Topology } from '../types.ts';
import type { References } from './assemble.ts';
import type { ClusterFiles, ClusterRecord } from './stream.ts';

/** Counters shared with the worker: [0] results posted, [1] results taken. */
export const POSTED = 0;
export const TAKEN = 1;
export const LOOKAHEAD = 4;

export interface WorkerInput {
  topology: Topology;
  releases: Map<string, IstioRelease>;
  clusters: string[];
  references: [string, readonly string[]][];
  /** With reuse of the previous render: the mesh input base (inputs.ts), the tree on disk and the records of the worker's clusters. */
  reuse: WorkerReuse | null;
  counters: SharedArrayBuffer;
}

export interface WorkerReuse {
  base: string;
  dir: string | null;
  records: (readonly [cluster: string, record: ClusterRecord])[];
}

export type WorkerMessage = { cluster: string; result: ClusterFiles } | { cluster: string; fatal: string };

export interface ClusterWorker {
  /** The result for `cluster`, which must be the next of the worker's clusters; null when the worker is gone (render it here). */
  next(cluster: string): ClusterFiles | null;
  stop(): void;
}

/** For tests: another worker script, and a shorter wait before giving a silent worker up. */
export interface WorkerTestHooks {
  script?: URL;
  giveUpMs?: number;
}

export function startClusterWorker(
  topology: Topology,
  releases: ReadonlyMap<string, IstioRelease>,
  clusters: readonly Cluster[],
  references: References,
  reuse: WorkerReuse | null,
  hooks: WorkerTestHooks = {},
): ClusterWorker {
  const giveUpMs = hooks.giveUpMs ?? GIVE_UP_MS;
  const counters = new SharedArrayBuffer(8);
  const shared = new Int32Array(counters);
  const { port1, port2 } = new MessageChannel();
  const input: WorkerInput = { topology, releases: new Map(releases), clusters: clusters.map((c) => c.name), references: [...references], reuse, counters };
  const worker = new Worker(hooks.script ?? new URL('./stream-worker.ts', import.meta.url), {
    workerData: { input, port: port2 },
    transferList: [port2],
    // The worker holds one cluster at a time: a small young generation keeps its memory small too.
    resourceLimits: { maxYoungGenerationSizeMb: 48 },
  });
  worker.unref();
  let taken = 0;
  let alive = true;
  const stop = () => {
    alive = false;
    port1.close();
    void worker.terminate();
  };
  return {
    next(cluster) {
      if (!alive) return null;
      let waited = 0;
      for (;;) {
        const got = receiveMessageOnPort(port1) as { message: WorkerMessage } | undefined;
        if (got) {
          taken++;
          Atomics.store(shared, TAKEN, taken);
          Atomics.notify(shared, TAKEN);
          const m = got.message;
          if ('fatal' in m) {
            stop();
            throw new Error(`rendering cluster ${m.cluster} on the worker thread failed: ${m.fatal}`);
          }
          if (m.cluster !== cluster) throw new Error(`internal: the worker rendered ${m.cluster}, expected ${cluster}`);
          return m.result;
        }
        // Wait for the worker to post. Its events cannot reach this blocked thread, so a worker that
        // never answers (it could not start) is given up after a while and this thread renders alone.
        if (Atomics.wait(shared, POSTED, taken, WAIT_STEP_MS) === 'timed-out' && (waited += WAIT_STEP_MS) >= giveUpMs) {
          stop();
          return null;
        }
      }
    },
    stop,
  };
}

const WAIT_STEP_MS = 100;
/** Without any result for this long, the worker is given up (one cluster renders in milliseconds; starting takes well under a second). */
const GIVE_UP_MS = 20_000;

