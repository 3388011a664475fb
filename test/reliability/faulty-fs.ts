/**
 * A TreeFs that fails on purpose: an errno (ENOSPC, EROFS, EACCES, ...) on a chosen call, or a
 * simulated crash after a chosen number of disk-changing calls (every later call throws, so nothing
 * else reaches the disk, as if the process had been killed there).
 */
import { MUTATING_CALLS, nodeFs, type TreeFs } from '../../generator/fs/index.ts';

export interface FaultPlan {
  /** Fail the nth call (1-based, counting only calls of this name) of `call` with `code`. */
  fail?: { call: keyof TreeFs | 'any-mutating'; code: string; nth?: number };
  /** After this many disk-changing calls have run, every further call throws SimulatedCrash. */
  crashAfter?: number;
}

export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash');
  }
}

export interface FaultyFs {
  fs: TreeFs;
  /** Disk-changing calls made so far. */
  mutations: () => number;
  /** Whether the planned fault or crash happened. */
  fired: () => boolean;
}

export function faultyFs(plan: FaultPlan, base: TreeFs = nodeFs): FaultyFs {
  const mutating = new Set<string>(MUTATING_CALLS);
  let mutations = 0;
  let crashed = false;
  let fired = false;
  const counts = new Map<string, number>();
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(base) as [string, (...a: unknown[]) => unknown][]) {
    if (typeof fn !== 'function') continue;
    wrapped[name] = (...args: unknown[]) => {
      if (crashed) throw new SimulatedCrash();
      const isMutating = mutating.has(name);
      if (plan.crashAfter !== undefined && isMutating && mutations >= plan.crashAfter) {
        crashed = true;
        fired = true;
        throw new SimulatedCrash();
      }
      const f = plan.fail;
      if (f && (f.call === name || (f.call === 'any-mutating' && isMutating))) {
        const n = (counts.get(f.call) ?? 0) + 1;
        counts.set(f.call, n);
        if (n === (f.nth ?? 1)) {
          fired = true;
          throw errno(f.code, name, args[0]);
        }
      }
      if (isMutating) mutations++;
      return fn(...args);
    };
  }
  return { fs: wrapped as unknown as TreeFs, mutations: () => mutations, fired: () => fired };
}

export function errno(code: string, syscall: string, path: unknown): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
    EACCES: 'permission denied',
    EIO: 'i/o error',
    EDQUOT: 'disk quota exceeded',
  };
  const e = new Error(`${code}: ${messages[code] ?? 'injected error'}, ${syscall} '${String(path)}'`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = syscall;
  if (typeof path === 'string') e.path = path;
  return e;
}
