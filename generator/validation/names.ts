/**
 * The naming rules the Kubernetes API server enforces, checked offline: object names, namespaces,
 * label and annotation keys and values, ConfigMap/Secret keys and port numbers.
 */
import { isPlainObject } from '../yaml/canonical.ts';
import type { SchemaError } from './schemas.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** Kinds whose names must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED = new Set(['Namespace', 'Service']);
const PORT_KEYS = new Set(['port', 'containerPort', 'targetPort', 'number', 'nodePort', 'hostPort']);

export function nameErrors(obj: Record<string, unknown>): SchemaError[] {
  const out: SchemaError[] = [];
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  const name = meta.name;
  const kind = String(obj.kind);
  if (typeof name === 'string') {
    const label = LABEL_NAMED.has(kind);
    if (label ? !(DNS_LABEL.test(name) && name.length <= 63) : !(DNS_SUBDOMAIN.test(name) && name.length <= 253)) {
      out.push({ pointer: '/metadata/name', message: `${JSON.stringify(name)} is not a valid ${kind} name: a DNS-1123 ${label ? 'label (at most 63 characters)' : 'subdomain (at most 253 characters)'} of lowercase letters, digits, '-'${label ? '' : " and '.'"}` });
    }
  }
  if (typeof meta.namespace === 'string' && !(DNS_LABEL.test(meta.namespace) && meta.namespace.length <= 63)) {
    out.push({ pointer: '/metadata/namespace', message: `${JSON.stringify(meta.namespace)} is not a valid namespace (a DNS-1123 label)` });
  }
  checkKeyValues(meta.labels, '/metadata/labels', true, out);
  checkKeyValues(meta.annotations, '/metadata/annotations', false, out);
  if ((kind === 'ConfigMap' || kind === 'Secret') && isPlainObject(obj.data)) {
    for (const k of Object.keys(obj.data)) if (!CONFIG_KEY.test(k)) out.push({ pointer: `/data/${esc(k)}`, message: `key ${JSON.stringify(k)} must consist of letters, digits, '-', '_' or '.'` });
  }
  walkPorts(obj, '', out);
  return out;
}

function checkKeyValues(map: unknown, pointer: string, values: boolean, out: SchemaError[]): void {
  if (!isPlainObject(map)) return;
  for (const [k, v] of Object.entries(map)) {
    if (!validQualifiedKey(k)) out.push({ pointer: `${pointer}/${esc(k)}`, message: `${JSON.stringify(k)} is not a valid key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.'` });
    if (values && (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))) {
      out.push({ pointer: `${pointer}/${esc(k)}`, message: `label value ${JSON.stringify(v)} must be a string of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit` });
    }
  }
}

function validQualifiedKey(k: string): boolean {
  const parts = k.split('/');
  if (parts.length > 2) return false;
  const [prefix, name] = parts.length === 2 ? parts : [null, parts[0]!];
  if (prefix !== null && !(prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) return false;
  return name!.length > 0 && name!.length <= 63 && QUALIFIED_NAME.test(name!);
}

function walkPorts(node: unknown, pointer: string, out: SchemaError[]): void {
  if (Array.isArray(node)) node.forEach((n, i) => walkPorts(n, `${pointer}/${i}`, out));
  else if (isPlainObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (PORT_KEYS.has(k) && typeof v === 'number' && !(Number.isInteger(v) && v >= 1 && v <= 65535)) {
        out.push({ pointer: `${pointer}/${esc(k)}`, message: `port ${v} is out of range: ports are 1 to 65535` });
      }
      walkPorts(v, `${pointer}/${esc(k)}`, out);
    }
  }
}

function esc(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}
