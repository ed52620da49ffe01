// The memcached port of the container: a TCP proxy to Debian's memcached on a unix socket, with the
// VERSION reply rewritten to the image's version.

import net from 'node:net';
import { VersionRewriter } from './versionrewrite.js';

export function versionProxy(socketPath: string, version: string): net.Server {
  // Half-open both ways: `echo version | nc` closes its side first and still reads the reply.
  return net.createServer({ allowHalfOpen: true }, (client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ path: socketPath, allowHalfOpen: true });
    const rewriter = new VersionRewriter(version);
    client.pipe(upstream);
    upstream.on('data', (chunk) => {
      if (!client.write(rewriter.feed(chunk))) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    upstream.on('end', () => client.end(rewriter.flush()));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
}

/** Resolves once something accepts connections on the unix socket, polling every 50 ms. */
export async function waitForSocket(socketPath: string, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(socketPath, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`memcached did not open ${socketPath} in ${timeoutMs} ms`);
}
