import type { Diagnostic } from '../../diagnostics.ts';
import { didYouMean } from '../../util/did-you-mean.ts';
import type { MeshRule } from './rule.ts';

export const tagsKnown: MeshRule = {
  id: 'MR009',
  name: 'tags-known',
  explain:
    'Every revision tag points at a revision of spec.istio.revisions, and no tag other than "default" has the name of a revision (istioctl refuses such a tag: a namespace label could not tell them apart).',
  check(ctx) {
    const out: Diagnostic[] = [];
    const names = ctx.written.spec.istio.revisions.map((r) => r.name);
    for (const [tag, rev] of Object.entries(ctx.written.spec.istio.tags ?? {})) {
      if (!names.includes(rev)) {
        const guess = didYouMean(rev, names);
        out.push(
          ctx.error(
            ['spec', 'istio', 'tags', tag],
            `tag ${JSON.stringify(tag)} points at revision ${JSON.stringify(rev)}, which is not in spec.istio.revisions (${names.join(', ')})${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''}`,
          ),
        );
      }
      if (tag !== 'default' && names.includes(tag)) {
        out.push(ctx.errorAtKey(['spec', 'istio', 'tags', tag], `tag ${JSON.stringify(tag)} has the name of a revision; rename the tag`));
      }
    }
    return out;
  },
};
