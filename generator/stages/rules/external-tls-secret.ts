import type { Diagnostic } from '../../diagnostics.ts';
import { addressKind } from './address-format.ts';
import type { MeshRule } from './rule.ts';

export const externalTlsSecret: MeshRule = {
  id: 'MR021',
  name: 'external-tls-secret',
  explain:
    "An external control plane is reached through an ingress gateway at external.address. With an IP address the gateway passes TLS through to istiod; with a DNS name it terminates TLS for that name, so it needs external.tlsSecret, the TLS Secret for the name in the external control plane's namespace.",
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { cluster, index } of ctx.writtenClusters()) {
      const ext = cluster.role === 'external' ? cluster.external : undefined;
      if (!ext || ext.tlsSecret || addressKind(ext.address) !== 'dns') continue;
      out.push(
        ctx.error(
          ctx.clusterPath(index, 'external', 'address'),
          `external.address ${ext.address} is a DNS name, so the ingress gateway in front of the external istiod terminates TLS and needs a certificate for it: add external.tlsSecret: <name of the TLS Secret>, or use an IP address for TLS passthrough`,
        ),
      );
    }
    return out;
  },
};
