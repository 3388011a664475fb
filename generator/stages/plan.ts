/**
 * plan: Topology + template catalog → RenderUnit[] per cluster (planCluster) and the MeshPlan of
 * what lives once per mesh under shared/ (planMesh).
 * Decides, for every cluster, which components render, for which revision, into which directory
 * and with which template context. Nothing is rendered here; a plan is cheap to build and to test.
 */
import { planBase } from '../components/base.ts';
import { planCaCerts } from '../components/ca-certs.ts';
import { planRemoteSecrets, planSharedRemoteSecrets } from '../components/remote-secrets.ts';
import { planGateways } from '../components/gateways.ts';
import { planIstiod } from '../components/istiod.ts';
import { planMeshNetworking } from '../components/mesh-networking.ts';
import { planNamespaces } from '../components/namespace.ts';
import { planVerify } from '../components/verify.ts';
import { planWebhooks } from '../components/webhooks.ts';
import type { ComponentPlanner, UnitRequest } from '../components/component.ts';
import { planCrds, type SharedDocuments } from '../components/crds.ts';
import { layerDir, type LayerId } from '../layers.ts';
import type { TemplateCatalog, TemplateRef } from '../templating/catalog.ts';
import type { IstioRelease } from '../istio/release.ts';
import type { Cluster, Topology } from '../types.ts';

/** One directory of output: the objects of one component for one cluster (and revision). */
export interface RenderUnit {
  /** Cluster name (for a unit under shared/, the cluster its content is about). */
  cluster: string;
  component: string;
  layer: LayerId;
  /** Output directory relative to the mesh root, e.g. clusters/cluster1/00-namespaces/namespaces or shared/remote-secrets/istio-system/cluster2. */
  dir: string;
  templates: readonly TemplateRef[];
  context: Readonly<Record<string, unknown>>;
}

function mergeReferences(...maps: ReadonlyMap<string, readonly string[]>[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of maps) for (const [dir, list] of m) out.set(dir, [...(out.get(dir) ?? []), ...list]);
  return out;
}

/** Component planners in the order their layers apply. */
const PLANNERS: readonly ComponentPlanner[] = [planNamespaces, planBase, planCaCerts, planIstiod, planWebhooks, planGateways, planMeshNetworking, planRemoteSecrets, planVerify];

/** The units of one cluster's tree, in the order of the planners. */
export function planCluster(topology: Topology, cluster: Cluster, catalog: TemplateCatalog, releases: ReadonlyMap<string, IstioRelease>): RenderUnit[] {
  return PLANNERS.flatMap((planner) => planner({ topology, cluster, catalog, releases }).map((req) => renderUnitOf(cluster, req, catalog)));
}

/** Where a planner's unit request renders in the cluster's tree, with which templates. */
export function renderUnitOf(cluster: Cluster, req: UnitRequest, catalog: TemplateCatalog): RenderUnit {
  return {
    cluster: cluster.name,
    component: req.component,
    layer: req.layer,
    dir: `clusters/${cluster.name}/${layerDir(req.layer)}/${req.unit}`,
    templates: catalog.templatesFor(req.component, req.revision?.minor ?? null),
    context: req.context,
  };
}

export interface MeshPlan {
  /** Units under shared/: content many clusters list, rendered once. */
  units: RenderUnit[];
  shared: readonly SharedDocuments[];
  references: ReadonlyMap<string, readonly string[]>;
}

/** What lives once per mesh (shared/) and the references of the clusters (those in `only`, or all) to it. */
export function planMesh(topology: Topology, catalog: TemplateCatalog, releases: ReadonlyMap<string, IstioRelease>, only: ReadonlySet<string> | null = null): MeshPlan {
  // Content that is the same for many clusters, rendered once under shared/ and listed by each cluster.
  const remoteSecrets = planSharedRemoteSecrets(topology, layerDir('secrets'), only);
  const units: RenderUnit[] = remoteSecrets.units.map((u) => ({
    cluster: u.target,
    component: 'remote-secret',
    layer: 'secrets',
    dir: u.dir,
    templates: catalog.templatesFor('remote-secret', null),
    context: u.context,
  }));
  const crds = planCrds(topology, releases, only);
  return { units, shared: crds.shared, references: mergeReferences(crds.references, remoteSecrets.references) };
}
