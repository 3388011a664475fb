/**
 * The check cache (stages/check-cache.ts) skips checking a topology that passed before, unchanged.
 * What it returns must be exactly what checking returns, and a topology with a mistake is never
 * cached, so every mistake is reported every time.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetTopology } from '../../bench/fleet.ts';
import { TopologyInvalidError } from '../../generator/errors.ts';
import { checkTopologies } from '../../generator/pipeline.ts';
import { tempDir, topologyFile } from '../support/builders.ts';
import { ROOT } from '../support/paths.ts';

describe('the check cache', () => {
  const examples = readdirSync(join(ROOT, 'topologies')).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, 'topologies', f));

  it('returns exactly what checking returns, for every example and a fleet', () => {
    const cache = tempDir();
    const files = [...examples, topologyFile(fleetTopology({ clusters: 60 }))];
    const checked = checkTopologies(files);
    expect(checkTopologies(files, cache)).toStrictEqual(checked); // miss: checked, then cached
    expect(readdirSync(cache)).toHaveLength(files.length);
    const hit = checkTopologies(files, cache);
    expect(hit).toStrictEqual(checked);
    expect(Object.isFrozen(hit[0]!.topology.clusters[0])).toBe(true);
  });

  it('checks again a file that changed, and never caches a topology with a mistake', () => {
    const cache = tempDir();
    const file = topologyFile(fleetTopology({ clusters: 3 }));
    const first = checkTopologies([file], cache)[0]!;
    writeFileSync(file, readFileSync(file, 'utf8').replace('fleet-3', 'fleet-three'));
    expect(checkTopologies([file], cache)[0]!.topology.name).toBe('fleet-three');
    expect(first.topology.name).toBe('fleet-3');
    // The new outcome replaced the old one: one entry per topology file.
    expect(readdirSync(cache)).toHaveLength(1);
    writeFileSync(file, readFileSync(file, 'utf8').replace('role: remote', 'role: remoet'));
    const entries = readdirSync(cache).length;
    for (let i = 0; i < 2; i++) expect(() => checkTopologies([file], cache)).toThrow(TopologyInvalidError);
    expect(readdirSync(cache)).toHaveLength(entries);
  });
});
