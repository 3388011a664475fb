#!/usr/bin/env node
/**
 * The command line. The only module that prints or sets the exit code:
 * 0 success, 1 invalid input or drift, 2 wrong usage.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import fg from 'fast-glob';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { formatDiagnostic, type Diagnostic } from './diagnostics.ts';
import { MeshrenderError, UsageError } from './errors.ts';
import { GRAPH_FORMATS } from './graph/formats.ts';
import { certsOptions } from './certs/options.ts';
import { formatReleaseSource, type IstioRelease } from './istio/release.ts';
import { checkAndLoad, checkTopologies, renderTopologies, type MeshOutcome } from './pipeline.ts';
import { findRule, MESH_RULES } from './stages/rules/index.ts';
import { isClean } from './stages/write.ts';
import { topologySchema } from './stages/validate.ts';

const DEFAULT_TOPOLOGIES = 'topologies/*.yaml';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const processIo: Io = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
};

/** Runs meshrender with the given arguments and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const parser = yargs()
    .scriptName('meshrender')
    .usage('$0 <command> [options]\n\nRenders a multi-cluster Istio mesh described by a topology file into per-cluster kustomize trees.')
    .command(
      'render [topology..]',
      'Render topologies into per-cluster kustomize trees',
      (y) =>
        y
          .positional('topology', { type: 'string', array: true, describe: `topology files or globs (default: ${DEFAULT_TOPOLOGIES})` })
          .option('out', { alias: 'o', type: 'string', default: 'out', describe: 'output directory; each mesh goes to <out>/<metadata.name>/' })
          .option('istio-dist', { type: 'string', describe: 'directory with Istio releases (istio-<version>/ or archives); default $MESHRENDER_ISTIO_DIST' })
          .option('offline', { type: 'boolean', describe: 'never download an Istio release: one that is neither in --istio-dist nor in the cache is an error (also $MESHRENDER_OFFLINE=1)' })
          .option('check', { type: 'boolean', default: false, describe: 'write nothing; list the files that would change and exit 1 if any would' })
          .option('cluster', { type: 'string', array: true, describe: 'render (or --check) only these clusters inside the existing tree, to shard a large fleet across CI jobs' })
          .option('validate', { type: 'boolean', default: false, describe: 'validate every rendered object offline (schemas, unknown fields, naming rules) before writing' })
          .option('kubeconform', { type: 'boolean', default: false, describe: 'with --validate (implied): also run kubeconform from the PATH over the rendered trees, with exported schemas (skipped when absent)' })
          .example('$0 render', `render every ${DEFAULT_TOPOLOGIES} into out/`)
          .example('$0 render topologies/primary-remote.yaml --out deploy', 'render one mesh into deploy/primary-remote/')
          .example('$0 render --check', 'in CI: fail when the committed out/ is not what the topologies render'),
      async (args) => {
        const istioDist = args.istioDist ?? process.env.MESHRENDER_ISTIO_DIST ?? null;
        if (args.kubeconform) {
          const { kubeconformTopologies } = await import('./validation/command.ts');
          const kc = await kubeconformTopologies(files(args.topology), istioDist || null, args.out);
          printDiagnostics(io, kc.diagnostics);
          for (const n of kc.notes) io.out(n);
          if (kc.diagnostics.some((d) => d.severity === 'error')) {
            exitCode = 1;
            return;
          }
        }
        exitCode = await runRender(io, files(args.topology), args.out, args.check, istioDist, args.validate || args.kubeconform, args.offline || undefined, args.cluster ?? []);
      },
    )
    .command(
      'validate [topology..]',
      'Check topologies against the schema and the mesh rules, writing nothing',
      (y) =>
        y
          .positional('topology', { type: 'string', array: true, describe: `topology files or globs (default: ${DEFAULT_TOPOLOGIES})` })
          .option('explain', { type: 'string', describe: 'print what a mesh rule checks (by ID or name) and exit' })
          .option('rendered', { type: 'string', describe: 'validate the rendered objects in this output directory instead of topologies' })
          .option('kustomize', { type: 'boolean', default: false, describe: 'with --rendered: also build every cluster tree with kubectl kustomize (skipped when kubectl is absent)' })
          .option('kubeconform', { type: 'boolean', default: false, describe: 'with --rendered: also run kubeconform from the PATH with exported schemas (skipped when absent)' })
          .example('$0 validate topologies/demo.yaml', 'report every mistake as file:line:col: error: ...')
          .example('$0 validate --explain MR006', 'explain one mesh rule')
          .example('$0 validate --rendered out --kustomize', 'check every rendered object and build every cluster tree'),
      async (args) => {
        if (args.rendered !== undefined) {
          const { validateRenderedDir } = await import('./validation/command.ts');
          const r = await validateRenderedDir(args.rendered, { kustomize: args.kustomize, kubeconform: args.kubeconform });
          printDiagnostics(io, r.diagnostics);
          for (const n of r.notes) io.out(n);
          exitCode = r.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
          return;
        }
        exitCode = args.explain !== undefined ? runExplain(io, args.explain) : runValidate(io, files(args.topology));
      },
    )
    .command(
      'diff [topology..]',
      'Compare what the topologies render now with a base, in mesh terms (for pull-request review)',
      (y) =>
        y
          .positional('topology', { type: 'string', array: true, describe: `topology files or globs (default: ${DEFAULT_TOPOLOGIES})` })
          .option('base', { type: 'string', describe: 'git ref holding the base version of the same topology files' })
          .option('base-dir', { type: 'string', describe: 'an output directory rendered earlier (as written by render --out)' })
          .option('format', { choices: ['text', 'markdown', 'json'] as const, default: 'text' as const, describe: 'output format; markdown stays under 60,000 characters' })
          .option('istio-dist', { type: 'string', describe: 'directory with Istio releases; default $MESHRENDER_ISTIO_DIST' })
          .example('$0 diff --base origin/main --format markdown', 'summarise a pull request for a review comment')
          .example('$0 diff --base-dir out', 'what a render would change in out/'),
      async (args) => {
        const { runDiff } = await import('./diff/command.ts');
        const r = await runDiff({
          topologies: files(args.topology),
          base: args.base ?? null,
          baseDir: args.baseDir ?? null,
          format: args.format,
          istioDist: args.istioDist ?? process.env.MESHRENDER_ISTIO_DIST ?? null,
        });
        io.out(r.output);
        exitCode = r.different ? 1 : 0;
      },
    )
    .command(
      'images [topology..]',
      'List every image each cluster will pull (for mirroring into an air-gapped registry)',
      (y) =>
        y
          .positional('topology', { type: 'string', array: true, describe: `topology files or globs (default: ${DEFAULT_TOPOLOGIES})` })
          .option('cluster', { type: 'string', array: true, describe: 'only these clusters' })
          .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'text per cluster, or JSON with the unique list' })
          .option('istio-dist', { type: 'string', describe: 'directory with Istio releases; default $MESHRENDER_ISTIO_DIST' })
          .example('$0 images topologies/canary-upgrade.yaml', 'pilot and proxyv2 of both revisions, and what pulls them')
          .example('$0 images --format json | jq -r ".[].images[]"', 'the plain list to mirror'),
      async (args) => {
        const loaded = await checkAndLoad(files(args.topology), args.istioDist ?? process.env.MESHRENDER_ISTIO_DIST ?? null);
        const wanted = args.cluster && args.cluster.length > 0 ? args.cluster : undefined;
        for (const m of loaded) {
          const unknown = (wanted ?? []).filter((c) => !m.topology.clusters.some((x) => x.name === c));
          if (unknown.length > 0 && loaded.length === 1) throw new UsageError(`no cluster ${unknown.join(', ')} in ${m.topology.file}`);
        }
        const { formatImagesJson, formatImagesText } = await import('./images/images.ts');
        if (args.format === 'json') io.out(`${JSON.stringify(loaded.map((m) => JSON.parse(formatImagesJson(m.topology, m.releases, wanted))), null, 2)}\n`);
        else for (const m of loaded) io.out(formatImagesText(m.topology, m.releases, wanted));
      },
    )
    .command(
      'bundle',
      'Write a reproducible .tar.gz for an air-gapped site, or verify one',
      (y) =>
        y
          .command(
            'verify <file>',
            'Check every digest of a bundle; name each file that does not match',
            (v) => v.positional('file', { type: 'string', demandOption: true }),
            async (args) => {
              const { runBundleVerify } = await import('./bundle/command.ts');
              const r = await runBundleVerify(args.file);
              for (const l of r.lines) (r.ok ? io.out : io.err)(l);
              exitCode = r.ok ? 0 : 1;
            },
          )
          .command(
            '$0 [topology]',
            'Bundle the rendered trees, images.txt, bundle.json, SHA256SUMS and a README',
            (b) =>
              b
                .positional('topology', { type: 'string', describe: 'topology file' })
                .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the .tar.gz to write' })
                .option('cluster', { type: 'string', array: true, describe: 'only these clusters' })
                .option('include-secrets', { type: 'string', describe: 'directory written by meshrender certs; its files go to secrets/ in the archive' })
                .option('istio-dist', { type: 'string', describe: 'directory with Istio releases; default $MESHRENDER_ISTIO_DIST' })
                .example('$0 bundle topologies/primary-remote.yaml -o mesh.tar.gz', 'everything for every cluster')
                .example('$0 bundle verify mesh.tar.gz', 'on the other side of the gap'),
            async (args) => {
              const [topology] = files(args.topology ? [args.topology] : undefined);
              const { runBundle } = await import('./bundle/command.ts');
              io.out(
                await runBundle({
                  topology: topology!,
                  output: args.output,
                  clusters: args.cluster ?? [],
                  includeSecrets: args.includeSecrets ?? null,
                  istioDist: args.istioDist ?? process.env.MESHRENDER_ISTIO_DIST ?? null,
                }),
              );
            },
          ),
      () => {},
    )
    .command(
      'schemas',
      'Write JSON Schemas of every kind meshrender renders, for kubeconform',
      (y) =>
        y
          .command(
            'export <dir> [topology..]',
            'Write one strict JSON Schema per kind into DIR, named as kubeconform looks them up; Istio kinds from the topologies\' Istio releases',
            (e) =>
              e
                .positional('dir', { type: 'string', demandOption: true, describe: 'directory to write into (created if needed)' })
                .positional('topology', { type: 'string', array: true, describe: `topology files or globs whose Istio versions to use (default: ${DEFAULT_TOPOLOGIES})` })
                .option('istio-dist', { type: 'string', describe: 'directory with Istio releases; default $MESHRENDER_ISTIO_DIST' })
                .example("$0 schemas export schemas/ && kubeconform -strict -schema-location 'schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json' out/", 'validate a rendered tree with kubeconform, offline'),
            async (args) => {
              const { runSchemasExport } = await import('./validation/command.ts');
              io.out(await runSchemasExport(args.dir, files(args.topology), args.istioDist ?? process.env.MESHRENDER_ISTIO_DIST ?? null));
            },
          )
          .demandCommand(1, 'Name a subcommand: schemas export DIR.'),
      () => {},
    )
    .command(
      'certs [topology]',
      "Generate offline a root CA and an intermediate CA per istiod cluster, as Istio's tools/certs does, outside the render output",
      (y) => certsOptions(y),
      async (args) => {
        const { runCertsCommand } = await import('./certs/command.ts');
        for (const line of await runCertsCommand(args, files)) io.out(line);
      },
    )
    .command(
      'graph <topology>',
      'Draw the topology: clusters by network, control planes, east-west gateways and which istiod reads which cluster',
      (y) =>
        y
          .positional('topology', { type: 'string', demandOption: true, describe: 'topology file' })
          .option('format', { choices: GRAPH_FORMATS, default: 'svg' as const, describe: 'svg (Graphviz), mermaid (as in out/<mesh>/README.md) or dot' })
          .option('output', { alias: 'o', type: 'string', describe: 'file to write; default: standard output' })
          .example('$0 graph topologies/primary-remote.yaml --output mesh.svg', 'a picture for a design review')
          .example('$0 graph topologies/primary-remote.yaml --format mermaid', 'the diagram of the README, to paste elsewhere'),
      async (args) => {
        const { runGraph } = await import('./graph/command.ts');
        const r = await runGraph({ topology: args.topology, format: args.format, output: args.output ?? null });
        printDiagnostics(io, r.warnings);
        io.out(r.stdout);
      },
    )
    .command(
      'schema',
      'Print the JSON Schema of topology files',
      (y) => y.example('$0 schema > topology.schema.json', 'save the schema for an editor'),
      () => {
        io.out(JSON.stringify(topologySchema(), null, 2));
      },
    )
    .demandCommand(1, 'Name a command: render, validate, diff, images, graph, bundle, certs, schema or schemas.')
    .strict()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });

  try {
    // The callback form makes yargs hand back --help output instead of printing it itself.
    let printed = '';
    await parser.parse([...argv], {}, (_err, _args, output) => {
      printed = output;
    });
    if (printed) io.out(printed);
  } catch (e) {
    return report(io, e);
  }
  return exitCode;
}

function files(patterns: string[] | undefined): string[] {
  const list = patterns && patterns.length > 0 ? patterns : [DEFAULT_TOPOLOGIES];
  const found = new Set<string>();
  for (const p of list) {
    if (existsSync(p)) found.add(p);
    else for (const f of fg.sync(p, { onlyFiles: true, dot: false })) found.add(f);
  }
  if (found.size === 0) throw new UsageError(`no topology file matches ${list.join(' ')}`);
  return [...found].sort();
}

async function runRender(io: Io, topologies: string[], outDir: string, check: boolean, istioDist: string | null, validate = false, offline?: boolean, clusters: readonly string[] = []): Promise<number> {
  const outcomes = await renderTopologies({ topologies, outDir, check, istioDist: istioDist || null, validate, offline, clusters });
  printReleaseSources(io, outcomes.flatMap((o) => o.releases));
  let stale = false;
  for (const o of outcomes) {
    printDiagnostics(io, o.warnings);
    if (check) stale = printCheck(io, o) || stale;
    else printWrite(io, o);
  }
  return stale ? 1 : 0;
}

/** Which Istio release each version came from and its archive digest (to check or pin), once per version and origin. */
function printReleaseSources(io: Io, releases: readonly IstioRelease[]): void {
  const lines = new Set(releases.map(formatReleaseSource));
  for (const line of [...lines].sort()) io.err(line);
}

function printWrite(io: Io, o: MeshOutcome): void {
  const d = o.drift;
  const where = relative(process.cwd(), d.dir) || d.dir;
  const clusters = o.topology.clusters.length;
  if (isClean(d) && !('swapped' in d && d.swapped)) {
    io.out(`${o.topology.name}: ${clusters} cluster(s), ${o.files} files in ${where}, all up to date`);
    return;
  }
  io.out(
    `${o.topology.name}: ${clusters} cluster(s), ${o.files} files in ${where}: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed`,
  );
}

function printCheck(io: Io, o: MeshOutcome): boolean {
  const d = o.drift;
  const where = relative(process.cwd(), d.dir) || d.dir;
  if (isClean(d) && d.foreign.length === 0) {
    io.out(`${o.topology.name}: ${where} is up to date`);
    return false;
  }
  io.err(`${o.topology.name}: ${where} is stale; run \`meshrender render\` and commit the result:`);
  for (const p of d.added) io.err(`  added    ${where}/${p}`);
  for (const p of d.changed) io.err(`  changed  ${where}/${p}`);
  for (const p of d.removed) io.err(`  removed  ${where}/${p}`);
  for (const p of d.foreign) io.err(`  blocked  ${where}/${p} (not written by meshrender)`);
  return true;
}

function runValidate(io: Io, topologies: string[]): number {
  const checked = checkTopologies(topologies);
  for (const c of checked) {
    printDiagnostics(io, c.warnings);
    io.out(`${c.topology.file}: valid (${c.topology.clusters.length} cluster(s), mesh ${c.topology.mesh.id})`);
  }
  return 0;
}

function runExplain(io: Io, id: string): number {
  const rule = findRule(id);
  if (!rule) throw new UsageError(`no mesh rule ${JSON.stringify(id)}; rules: ${MESH_RULES.map((r) => `${r.id} ${r.name}`).join(', ')}`);
  io.out(`${rule.id} ${rule.name}\n\n${rule.explain}`);
  return 0;
}

function printDiagnostics(io: Io, ds: readonly Diagnostic[]): void {
  for (const d of ds) io.err(formatDiagnostic(d));
}

function report(io: Io, e: unknown): number {
  if (e instanceof MeshrenderError) {
    if (e.diagnostics.length > 0) printDiagnostics(io, e.diagnostics);
    else io.err(`meshrender: error: ${e.message}`);
    if (e.exitCode === 2) io.err('Run `meshrender --help` for usage.');
    return e.exitCode;
  }
  const err = e as Error;
  io.err(`meshrender: internal error: ${err?.message ?? String(e)}`);
  io.err('This is a bug in meshrender; please report it with the topology that triggers it.');
  if (process.env.MESHRENDER_DEBUG) io.err(err?.stack ?? '');
  return 70;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.filename === (await realpathOf(process.argv[1]));
if (invokedDirectly) process.exitCode = await main(hideBin(process.argv));

async function realpathOf(p: string): Promise<string> {
  const { realpathSync } = await import('node:fs');
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
