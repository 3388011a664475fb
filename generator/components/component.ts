/**
 * A component planner decides, for one cluster of the resolved model, whether a component renders
 * there, for which revisions, and with which template context. Planners hold every decision;
 * templates only lay out objects.
 */
import type { TemplateCatalog } from '../templating/catalog.ts';
import type { Cluster, Revision, Topology } from '../types.ts';
import type { LayerId } from '../layers.ts';
import type { IstioRelease } from '../istio/release.ts';

export interface UnitRequest {
  /** Component name: a directory under templates/. */
  component: string;
  layer: LayerId;
  /** Directory name of the unit inside its layer. */
  unit: string;
  /** Revision whose Istio minor selects the templates, or null for minor-independent templates. */
  revision: Revision | null;
  /** The complete template context (every key present; null when unset). */
  context: Record<string, unknown>;
}

export interface PlanInput {
  topology: Topology;
  cluster: Cluster;
  catalog: TemplateCatalog;
  /** The Istio releases of the topology's versions, by version. */
  releases: ReadonlyMap<string, IstioRelease>;
}

export type ComponentPlanner = (input: PlanInput) => UnitRequest[];
