/** Runs the CLI in-process and captures what it prints. */
import { main } from '../../generator/cli.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (s) => (stdout += s.endsWith('\n') ? s : `${s}\n`),
    err: (s) => (stderr += s.endsWith('\n') ? s : `${s}\n`),
  });
  return { code, stdout, stderr };
}
