/**
 * Every image each cluster will pull, per revision, derived from the model (which istiod runs where,
 * which revision injects which workloads) and the release's injection templates, not from pod specs:
 * gateways say `image: auto` and sidecars are added at admission, so their proxyv2 image appears in
 * no rendered pod spec. With spec.istio.hub every Istio image comes from that registry.
 */
import { istiodInstances } from '../components/istiod-instance.ts';
import type { IstioRelease } from '../istio/release.ts';
import type { Cluster, Topology } from '../types.ts';

export interface ImageUse {
  image: string;
  /** Revision whose release the image belongs to, or null (verification workloads). */
  revision: string | null;
  /** What pulls it. */
  usedBy: string;
  /** False for images written literally in an upstream template: spec.istio.hub does not move them. */
  followsHub: boolean;
}

/** Literal image references in the release's injection templates (e.g. busybox in grpc-simple). */
export function literalTemplateImages(release: IstioRelease): { image: string; template: string }[] {
  const out: { image: string; template: string }[] = [];
  for (const [file, text] of release.discoveryFiles) {
    if (file.startsWith('profile-')) continue;
    for (const m of text.matchAll(/^\s*image:\s*"?([^"\s{}]+)"?\s*$/gm)) out.push({ image: m[1]!, template: file.replace(/\.yaml$/, '') });
  }
  return out.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}

export function clusterImages(topology: Topology, cluster: Cluster, releases: ReadonlyMap<string, IstioRelease>): ImageUse[] {
  const uses: ImageUse[] = [];
  const hub = topology.istio.hub;
  for (const inst of istiodInstances(topology, cluster)) {
    const rev = inst.revision;
    if (inst.local) uses.push({ image: `${inst.hub}/pilot:${inst.tag}`, revision: rev.name, usedBy: `istiod (${inst.namespace}/istiod${rev.suffix})`, followsHub: true });
  }
  for (const revName of cluster.revisions) {
    const rev = topology.istio.revisions.find((r) => r.name === revName)!;
    uses.push({ image: `${hub}/proxyv2:${rev.version}`, revision: rev.name, usedBy: 'sidecars, init containers and gateways injected by this revision', followsHub: true });
    uses.push({ image: `${hub}/agentgateway:${rev.version}`, revision: rev.name, usedBy: 'agentgateway gateways only (Gateway API class agentgateway)', followsHub: true });
    const release = releases.get(rev.version);
    for (const lit of release ? literalTemplateImages(release) : []) {
      uses.push({ image: lit.image, revision: rev.name, usedBy: `pods injected with the ${lit.template} template only (written literally upstream)`, followsHub: false });
    }
  }
  if (topology.verify) {
    uses.push({ image: topology.verify.helloworldImage, revision: null, usedBy: 'verification workload helloworld (spec.verify)', followsHub: false });
    uses.push({ image: topology.verify.clientImage, revision: null, usedBy: 'verification client sleep (spec.verify)', followsHub: false });
  }
  const seen = new Set<string>();
  return uses.filter((u) => {
    const key = `${u.image}|${u.revision}|${u.usedBy}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** All images of the chosen clusters, unique and sorted: what a mirror must hold. */
export function imageList(topology: Topology, releases: ReadonlyMap<string, IstioRelease>, clusters?: readonly string[]): string[] {
  const chosen = topology.clusters.filter((c) => !clusters || clusters.includes(c.name));
  return [...new Set(chosen.flatMap((c) => clusterImages(topology, c, releases).map((u) => u.image)))].sort();
}

export function formatImagesText(topology: Topology, releases: ReadonlyMap<string, IstioRelease>, clusters?: readonly string[]): string {
  const lines: string[] = [];
  for (const c of topology.clusters.filter((x) => !clusters || clusters.includes(x.name))) {
    lines.push(`${c.name}:`);
    const uses = clusterImages(topology, c, releases);
    const width = Math.max(...uses.map((u) => u.image.length));
    for (const u of uses) lines.push(`  ${u.image.padEnd(width)}  ${u.revision ? `[${u.revision}] ` : ''}${u.usedBy}${u.followsHub ? '' : ' (not moved by spec.istio.hub)'}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatImagesJson(topology: Topology, releases: ReadonlyMap<string, IstioRelease>, clusters?: readonly string[]): string {
  const chosen = topology.clusters.filter((c) => !clusters || clusters.includes(c.name));
  return `${JSON.stringify(
    { mesh: topology.name, images: imageList(topology, releases, clusters), clusters: Object.fromEntries(chosen.map((c) => [c.name, clusterImages(topology, c, releases)])) },
    null,
    2,
  )}\n`;
}
