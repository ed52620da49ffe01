// Plain HTTP sent to the HTTPS port gets the answer Go's TLS server gives (net/http server.go), instead
// of a connection closed without a byte: the first byte of a TLS connection is a handshake record (0x16).

import type { Server } from 'node:https';
import type { Socket } from 'node:net';

const TLS_HANDSHAKE = 0x16;
const PLAIN_HTTP_REPLY = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';
/** A connection that sends nothing at all is dropped after this long (TLS's own handshake timeout starts later). */
const FIRST_BYTE_TIMEOUT_MS = 120_000;

export function answerPlainHttp(server: Server): void {
  const tlsListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  const waiting = new Set<Socket>();
  // Connections that never sent a byte are not HTTP connections yet: closing every connection includes them.
  const closeHttp = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeHttp();
    for (const s of waiting) s.destroy();
  };
  server.on('connection', (socket: Socket) => {
    waiting.add(socket);
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('close', () => waiting.delete(socket));
    socket.once('data', (chunk: Buffer) => {
      waiting.delete(socket);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === TLS_HANDSHAKE) for (const l of tlsListeners) l.call(server, socket);
      else socket.end(PLAIN_HTTP_REPLY);
    });
  });
}
