/**
 * Runs one meshrender command in this fresh process and prints its resource usage as JSON on the
 * last line of stderr, so the benchmark measures wall time, CPU time and peak RSS per command.
 */
import { main } from '../generator/cli.ts';

const started = process.hrtime.bigint();
let output = '';
const code = await main(process.argv.slice(2), { out: (s) => (output += s), err: (s) => (output += s) });
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
const ru = process.resourceUsage();
process.stderr.write(
  `${JSON.stringify({ code, wallMs, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssMiB: ru.maxRSS / 1024, output })}\n`,
);
process.exitCode = code;
