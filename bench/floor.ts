/**
 * The floor: the time a plain Node script takes to write the same files with the same bytes into a
 * fresh directory. Reads everything first (not timed), then times mkdir + writeFileSync of each file.
 * Usage: node bench/floor.ts <source tree> <fresh target dir>
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [source, target] = process.argv.slice(2) as [string, string];
const files: [string, Buffer][] = [];
const walk = (rel: string) => {
  for (const e of readdirSync(join(source, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(p);
    else files.push([p, readFileSync(join(source, p))]);
  }
};
walk('');
const started = process.hrtime.bigint();
const made = new Set<string>();
for (const [p, bytes] of files) {
  const dir = dirname(join(target, p));
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  writeFileSync(join(target, p), bytes);
}
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
const bytes = files.reduce((n, [, b]) => n + b.length, 0);
process.stdout.write(`${JSON.stringify({ wallMs, files: files.length, bytes })}\n`);
