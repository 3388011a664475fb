/**
 * The options of `meshrender certs`, apart from the command so that the command line can describe
 * them without loading the X.509 library (command.ts is loaded only when certs runs).
 */
import type { Argv } from 'yargs';

export type KeyType = 'rsa4096' | 'ecdsa-p256';
export const KEY_TYPES: readonly KeyType[] = ['rsa4096', 'ecdsa-p256'];

/** The options of `meshrender certs`, for cli.ts. */
export function certsOptions<T>(y: Argv<T>) {
  return y
    .positional('topology', { type: 'string', describe: 'topology file (default: every topologies/*.yaml)' })
    .option('out', { alias: 'o', type: 'string', default: 'secrets', describe: 'directory for the CA files; never inside the render output directory' })
    .option('render-out', { type: 'string', default: 'out', describe: 'the render output directory, which --out must stay out of' })
    .option('key-type', { choices: KEY_TYPES, default: 'rsa4096' as KeyType, describe: 'key of new certificates (tools/certs uses RSA 4096)' })
    .option('days', { type: 'number', default: 3650, describe: 'validity of new certificates in days (tools/certs: 3650); an intermediate never outlives its root' })
    .option('rotate-root', { type: 'boolean', default: false, describe: 'replace the root CA (and so every intermediate); the old root stays trusted through previous-root-cert.pem' })
    .option('manifests', { type: 'boolean', default: false, describe: 'also write DIR/<mesh>/<cluster>/cacerts.yaml, a Secret manifest for air-gapped hand-over' })
    .example('$0 certs topologies/multi-primary.yaml', 'secrets/multi-primary/{root-cert.pem,root-key.pem,cluster1/,cluster2/}')
    .example('$0 certs --key-type ecdsa-p256 --days 365 --manifests', 'ECDSA keys, one year, plus cacerts Secret manifests');
}
