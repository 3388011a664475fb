/** Release archives for tests, built in memory with tar-stream and gzip (placeholder content only). */
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: string | Buffer;
  linkname?: string;
}

/** A tar.gz of the entries. */
export async function tarGz(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const collected = (async () => {
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  })();
  for (const e of entries) {
    await new Promise<void>((res, rej) =>
      pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.type === 'directory' ? 0o755 : 0o644 }, e.content ?? '', (err) => (err ? rej(err) : res())),
    );
  }
  pack.finalize();
  return gzipSync(await collected);
}
