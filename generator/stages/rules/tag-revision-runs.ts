import type { Diagnostic } from '../../diagnostics.ts';
import type { MeshRule } from './rule.ts';

export const tagRevisionRuns: MeshRule = {
  id: 'MR014',
  name: 'tag-revision-runs',
  explain:
    'A revision tag is rendered on the clusters that run its revision, so a tag whose revision no cluster runs renders nowhere (error). The "default" tag also serves istio-injection=enabled namespaces: on a cluster that does not run its revision, only a revision named "default" serves them, if there is one (warning).',
  check(ctx) {
    const out: Diagnostic[] = [];
    const known = new Set(ctx.topology.istio.revisions.map((r) => r.name));
    for (const tag of ctx.topology.istio.tags) {
      // A tag naming an unknown revision is reported by tags-known.
      if (!known.has(tag.revision)) continue;
      const path = ['spec', 'istio', 'tags', tag.name];
      const running = ctx.topology.clusters.filter((c) => c.revisions.includes(tag.revision));
      if (running.length === 0) {
        out.push(ctx.error(path, `tag ${JSON.stringify(tag.name)} points at revision ${JSON.stringify(tag.revision)}, which no cluster runs, so the tag would be rendered nowhere; add ${tag.revision} to a cluster's revisions or point the tag at a revision in use`));
        continue;
      }
      if (tag.name !== 'default') continue;
      for (const c of ctx.topology.clusters) {
        if (c.role === 'external' || c.revisions.includes(tag.revision) || c.revisions.length === 0) continue;
        // Without the tag's webhook there, only the revision named "default" serves the legacy label.
        const there = c.revisions.includes('default')
          ? 'istio-injection=enabled namespaces are injected by the revision named "default" instead'
          : 'no webhook injects istio-injection=enabled namespaces';
        out.push(
          ctx.warning(
            path,
            `cluster ${JSON.stringify(c.name)} does not run revision ${JSON.stringify(tag.revision)} of the "default" tag, so there ${there}; add ${tag.revision} to ${c.name}'s revisions if that is not what you want`,
          ),
        );
      }
    }
    return out;
  },
};
