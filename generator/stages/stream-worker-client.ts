/**
 * The main thread's side of the cluster worker (stream-worker.ts): starts it with the checked
 * topology, the releases and the clusters of the stream, and shares the work with it cluster by
 * cluster. Both threads take the next cluster from one shared counter: the worker takes one as soon
 * as it is free (never more than LOOKAHEAD results ahead of what this thread has taken, so memory
 * stays bounded). This thread, which also writes what the stream yields, renders the cluster it needs
 * next itself when the worker has not taken it, and when it has waited a moment for one the worker is
 * rendering, it renders clusters further on (at most LOOKAHEAD, kept until the stream reaches them). So the
 * worker renders as much as it can, and this thread renders while the worker starts and whenever
 * writing leaves it time, whatever the disk.
 * The consumer of the stream is synchronous (the write stage), so results are taken with
 * receiveMessageOnPort, and the wait is an Atomics.wait on a counter the worker raises after each result.
 * The worker gets its work as the first message on its port, so it can be started early
 * (prewarmClusterWorker): loading its modules and templates then overlaps checking the topology.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { IstioRelease } from '../istio/release.ts';
import type { Cluster, Topology } from '../types.ts';
import type { References } from './assemble.ts';
import type { PreviousRender } from './inputs.ts';
import type { ClusterFiles } from './stream.ts';

/** Counters shared with the worker: [0] results posted, [1] results taken, [2] the next cluster nobody has taken. */
export const POSTED = 0;
export const TAKEN = 1;
export const NEXT = 2;
export const LOOKAHEAD = 16;

export interface WorkerInput {
  topology: Topology;
  releases: Map<string, IstioRelease>;
  /** Every cluster of the stream, in order; the shared counter NEXT indexes this list. */
  clusters: string[];
  references: [string, readonly string[]][];
  /** With reuse of the previous render: the mesh input base (inputs.ts), the tree on disk and where its render record is (the worker reads it itself rather than receive a copy). */
  reuse: WorkerReuse | null;
  counters: SharedArrayBuffer;
}

export interface WorkerReuse {
  base: string;
  dir: string | null;
  from: PreviousRender['from'];
}

export type WorkerMessage = { index: number; cluster: string; result: ClusterFiles } | { index: number; cluster: string; fatal: string };

export interface ClusterWorker {
  /**
   * The result for the cluster at `index` (the stream asks in order, for each cluster it has not
   * rendered ahead): from the worker if it took that cluster, else null, and the caller renders it
   * (also when the worker is gone). While waiting, clusters further on are rendered with `ahead`.
   */
  take(index: number, ahead: RenderAhead): ClusterFiles | null;
  stop(): void;
}

/** The stream's side of rendering ahead: whether it may hold one more result, and rendering the cluster at an index into its buffer. */
export interface RenderAhead {
  room(): boolean;
  render(index: number): void;
}

/** For tests: another worker script, a shorter wait before giving a silent worker up, or every cluster left to the worker. */
export interface WorkerTestHooks {
  script?: URL;
  giveUpMs?: number;
  workerOnly?: boolean;
}

const WORKER_SCRIPT = new URL('./stream-worker.ts', import.meta.url);

interface Spawned {
  worker: Worker;
  port: MessagePort;
}

function spawn(script: URL = WORKER_SCRIPT): Spawned {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(script, {
    workerData: { port: port2 },
    transferList: [port2],
    // The worker holds a few clusters at a time: a small young generation keeps its memory small too.
    resourceLimits: { maxYoungGenerationSizeMb: 48 },
  });
  // Never keeps the process alive: an early worker that is not needed dies with it.
  worker.unref();
  return { worker, port: port1 };
}

let warm: Spawned | null = null;

/** Starts the worker ahead of need, for the next startClusterWorker to use (a large fleet is coming). */
export function prewarmClusterWorker(): void {
  warm ??= spawn();
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
  const counters = new SharedArrayBuffer(12);
  const shared = new Int32Array(counters);
  const input: WorkerInput = { topology, releases: new Map(releases), clusters: clusters.map((c) => c.name), references: [...references], reuse, counters };
  const spawned = !hooks.script && warm ? warm : spawn(hooks.script);
  if (spawned === warm) warm = null;
  const { worker, port: port1 } = spawned;
  port1.postMessage(input);
  let taken = 0;
  let alive = true;
  const stop = () => {
    alive = false;
    port1.close();
    void worker.terminate();
  };
  return {
    take(index, ahead) {
      if (!alive) return null;
      // Nobody has taken this cluster: take it here (unless a test leaves everything to the worker).
      if (!hooks.workerOnly && Atomics.compareExchange(shared, NEXT, index, index + 1) === index) return null;
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
          // The worker takes clusters in order and this thread asks in order, so its next result is this one.
          if (m.index !== index) throw new Error(`internal: the worker rendered cluster #${m.index} (${m.cluster}), expected #${index}`);
          return m.result;
        }
        // Not there yet. The worker is most likely rendering this very cluster: give it a moment.
        const canAhead = !hooks.workerOnly && ahead.room();
        const step = canAhead ? AHEAD_AFTER_MS : WAIT_STEP_MS;
        if (Atomics.wait(shared, POSTED, taken, step) !== 'timed-out') continue;
        waited += step;
        // Still not there: render a cluster further on that nobody has taken, if the stream can hold it.
        if (canAhead) {
          const next = Atomics.load(shared, NEXT);
          if (next < clusters.length && Atomics.compareExchange(shared, NEXT, next, next + 1) === next) {
            ahead.render(next);
            continue;
          }
        }
        // Its events cannot reach this blocked thread, so a worker that took a cluster and never
        // answers is given up after a while and this thread renders alone.
        if (waited >= giveUpMs) {
          stop();
          return null;
        }
      }
    },
    stop,
  };
}

const WAIT_STEP_MS = 100;
/** How long to wait for the worker's result before rendering ahead (rendering a cluster takes a few milliseconds, checking an unchanged one less than one). */
const AHEAD_AFTER_MS = 2;
/** Without any result for this long, the worker is given up (one cluster renders in milliseconds; starting takes well under a second). */
const GIVE_UP_MS = 20_000;
