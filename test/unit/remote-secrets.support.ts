/** Helpers shared by the remote-secret, cacerts and secrets tests: plan one planner for one cluster and render its units. */
import { parse } from 'yaml';
import type { ComponentPlanner } from '../../generator/components/component.ts';
import { planRemoteSecrets, planSharedRemoteSecrets } from '../../generator/components/remote-secrets.ts';
import { renderUnit } from '../../generator/stages/render.ts';
import { loadCatalog } from '../../generator/templating/catalog.ts';
import type { Topology } from '../../generator/types.ts';
import { topologyDoc, type ClusterInput } from '../support/builders.ts';
import { renderPlannerUnits, type K8sObject } from '../support/render-planner.ts';

export type { K8sObject };

const catalog = loadCatalog();

/** The units a planner produces for one cluster, rendered: `<layer>/<unit>` → objects. */
export function renderPlanner(planner: ComponentPlanner, t: Topology, cluster: string): Map<string, K8sObject[]> {
  return new Map(renderPlannerUnits(planner, t, cluster).map((u) => [`${u.layer}/${u.unit}`, u.objects]));
}

/**
 * The remote-secret objects a cluster's tree builds to: its own units plus the ExternalSecrets under
 * shared/remote-secrets/ that its remote-secrets kustomization lists (as `secrets/remote-secrets`).
 */
export function renderRemoteSecrets(t: Topology, cluster: string): Map<string, K8sObject[]> {
  const out = renderPlanner(planRemoteSecrets, t, cluster);
  const shared = planSharedRemoteSecrets(t, 'secrets');
  const listed = shared.references.get(`clusters/${cluster}/secrets/remote-secrets`) ?? [];
  for (const ref of listed) {
    const unit = shared.units.find((u) => `../../../../${u.dir}` === ref)!;
    const files = renderUnit({ cluster: unit.target, component: 'remote-secret', layer: 'secrets', dir: unit.dir, templates: catalog.templatesFor('remote-secret', null), context: unit.context });
    out.set('secrets/remote-secrets', [...(out.get('secrets/remote-secrets') ?? []), ...files.map((f) => parse(f.content) as K8sObject)]);
  }
  return out;
}

/** topologyDoc with extra spec fields (remoteSecrets, certificates). */
export function meshDoc(clusters: ClusterInput[], spec: Record<string, unknown> = {}, networks?: string[]) {
  const doc = topologyDoc({ clusters, ...(networks ? { networks } : {}) });
  return { ...doc, spec: { ...doc.spec, ...spec } };
}

export const ES_REMOTE = { remoteSecrets: { provider: 'external-secrets', store: { name: 'vault' } } };

export const primary = (name: string, extra: Record<string, unknown> = {}): ClusterInput => ({
  name,
  role: 'primary',
  network: 'n1',
  apiServer: `https://${name}.example.com:6443`,
  eastWest: { address: `${name}.ew.example.com` },
  ...extra,
});
export const remote = (name: string, controlPlane: string, extra: Record<string, unknown> = {}): ClusterInput => ({
  name,
  role: 'remote',
  network: 'n1',
  controlPlane,
  apiServer: `https://${name}.example.com:6443`,
  ...extra,
});
export const external = (name: string, configCluster: string, extra: Record<string, unknown> = {}): ClusterInput => ({
  name,
  role: 'external',
  network: 'n1',
  external: { address: 'istiod.example.com', tlsSecret: 'cert', configCluster },
  ...extra,
});
