/** Plans one component for one cluster and renders its units, as the pipeline does, for the component tests. */
import { parse } from 'yaml';
import type { ComponentPlanner } from '../../generator/components/component.ts';
import type { IstioRelease } from '../../generator/istio/release.ts';
import type { LayerId } from '../../generator/layers.ts';
import { renderUnitOf } from '../../generator/stages/plan.ts';
import { renderUnit } from '../../generator/stages/render.ts';
import { loadCatalog } from '../../generator/templating/catalog.ts';
import type { Topology } from '../../generator/types.ts';

/** A rendered object, loosely typed for assertions. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: any;
};

export interface RenderedUnit {
  unit: string;
  layer: LayerId;
  objects: K8sObject[];
}

const catalog = loadCatalog();

export function renderPlannerUnits(planner: ComponentPlanner, t: Topology, cluster: string, releases: ReadonlyMap<string, IstioRelease> = new Map()): RenderedUnit[] {
  const c = t.clusters.find((x) => x.name === cluster)!;
  return planner({ topology: t, cluster: c, catalog, releases }).map((req) => ({
    unit: req.unit,
    layer: req.layer,
    objects: renderUnit(renderUnitOf(c, req, catalog)).map((f) => parse(f.content) as K8sObject),
  }));
}

/** renderPlannerUnits as unit name → objects, checking that every unit is in `layer` and planned once. */
export function renderedByUnit(units: readonly RenderedUnit[], layer: LayerId): Map<string, K8sObject[]> {
  const out = new Map<string, K8sObject[]>();
  for (const u of units) {
    if (u.layer !== layer) throw new Error(`unit ${u.unit} is in layer ${u.layer}, expected ${layer}`);
    if (out.has(u.unit)) throw new Error(`unit ${u.unit} planned twice`);
    out.set(u.unit, u.objects);
  }
  return out;
}
