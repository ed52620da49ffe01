// The WebSocket tunnel of client-go's tunneling_connection.go: the SPDY byte stream rides in binary messages
// whose boundaries mean nothing; a text message is a protocol error; Close(1000) is EOF.

import { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

export function webSocketTunnel(ws: WebSocket): Duplex {
  let closedByUs = false;
  const tunnel = new Duplex({
    allowHalfOpen: false,
    read() {
      if (ws.readyState === WebSocket.OPEN) ws.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState !== WebSocket.OPEN) return cb(new Error('websocket closed'));
      ws.send(chunk, { binary: true }, (err) => cb(err ?? null));
    },
    final(cb) {
      closedByUs = true;
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      cb();
    },
    destroy(err, cb) {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
        if (err) ws.terminate();
        else ws.close(1000);
      }
      cb(err);
    },
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      ws.close(1003, 'binary messages only');
      tunnel.destroy(new Error('text message on the SPDY tunnel'));
      return;
    }
    if (!tunnel.push(data)) ws.pause();
  });
  ws.on('close', (code: number) => {
    if (code === 1000 || closedByUs) tunnel.push(null);
    else tunnel.destroy(new Error(`websocket closed with ${code}`));
  });
  ws.on('error', (e) => tunnel.destroy(e));
  return tunnel;
}
