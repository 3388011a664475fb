/**
 * `meshrender graph <topology> --format svg|mermaid|dot [--output FILE]`: the topology picture of
 * out/<mesh>/README.md, alone. Needs no Istio release: the picture is drawn from the topology.
 */
import { writeFileSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics.ts';
import { WriteError } from '../errors.ts';
import { checkTopology } from '../pipeline.ts';
import type { Topology } from '../types.ts';
import { toDot } from './dot.ts';
import { toMermaid } from './mermaid.ts';
import { buildPicture } from './picture.ts';
import { renderSvg } from './svg.ts';

import { type GraphFormat } from './formats.ts';

export type { GraphFormat };

/** The picture of a checked topology in one format. */
export async function drawTopology(topology: Topology, format: GraphFormat): Promise<string> {
  const picture = buildPicture(topology);
  if (format === 'mermaid') return toMermaid(picture);
  const dot = toDot(picture);
  return format === 'dot' ? dot : renderSvg(dot);
}

export interface GraphResult {
  /** What to print on stdout: the picture, or a line naming the file written. */
  stdout: string;
  warnings: Diagnostic[];
}

export async function runGraph(opts: { topology: string; format: GraphFormat; output: string | null }): Promise<GraphResult> {
  const { topology, warnings } = checkTopology(opts.topology);
  const text = await drawTopology(topology, opts.format);
  if (opts.output === null) return { stdout: text, warnings };
  try {
    writeFileSync(opts.output, text);
  } catch (e) {
    throw new WriteError(`cannot write ${opts.output}: ${(e as Error).message}`);
  }
  return { stdout: `${topology.name}: ${opts.format} picture written to ${opts.output}`, warnings };
}
