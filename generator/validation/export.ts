/**
 * `meshrender schemas export DIR`: the JSON Schema of every kind meshrender renders, one file per
 * kind in kubeconform's naming (`deployment-apps-v1.json`, `service-v1.json`,
 * `gateway-networking-v1.json`), so that
 *   kubeconform -strict -schema-location 'DIR/{{ .ResourceKind }}{{ .KindSuffix }}.json' out/
 * gives the same verdict offline as `meshrender validate --rendered out`:
 * - Kubernetes, Argo CD, Flux, External Secrets and cert-manager kinds: the committed strict schemas
 *   (kinds/, generated from the kubernetes-models packages);
 * - Istio kinds: converted strictly from the CRDs of the Istio release the topology uses.
 * Every schema is draft-07 JSON Schema that stands alone; unknown fields are errors.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupVersionKind, KINDS_DIR, kubeconformFileName, STRICT_KINDS } from './kinds.ts';
import type { CrdSchemas } from './schemas.ts';

export interface ExportedSchemas {
  /** File names written into the directory, sorted. */
  files: string[];
  /** How many of them are Istio kinds (from the release's CRDs). */
  istioKinds: number;
}

/** Writes every schema into `dir` (created if needed); files of other names are left alone. */
export function exportSchemas(dir: string, crds: CrdSchemas): ExportedSchemas {
  mkdirSync(dir, { recursive: true });
  const written = new Map<string, string>();
  const claim = (file: string, what: string) => {
    const other = written.get(file);
    if (other) throw new Error(`${what} and ${other} would both be written to ${file}`);
    written.set(file, what);
  };
  for (const k of STRICT_KINDS) {
    const file = kubeconformFileName(k.apiVersion, k.kind);
    claim(file, `${k.apiVersion} ${k.kind}`);
    writeFileSync(join(dir, file), readFileSync(join(KINDS_DIR, file)));
  }
  let istioKinds = 0;
  for (const [key, schema] of crds.entries()) {
    const slash = key.lastIndexOf('/');
    const apiVersion = key.slice(0, slash);
    const kind = key.slice(slash + 1);
    const file = kubeconformFileName(apiVersion, kind);
    claim(file, `${apiVersion} ${kind}`);
    const out = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $comment: `${apiVersion} ${kind}, strict (unknown fields are errors). Converted by meshrender from the Istio release's CustomResourceDefinition.`,
      'x-kubernetes-group-version-kind': [groupVersionKind(apiVersion, kind)],
      ...schema,
    };
    writeFileSync(join(dir, file), `${JSON.stringify(out)}\n`);
    istioKinds++;
  }
  return { files: [...written.keys()].sort(), istioKinds };
}
