/**
 * Raw node:dgram throughput on loopback: one sender, one receiver in this process, 1200-byte datagrams, counting what
 * arrives (UDP may drop under load; the figure is delivered bytes per second). The ceiling any JS QUIC stack can reach
 * when both ends share one event loop, as our QUIC benchmark's client and server do.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

/** Sends about `bytes` as `datagramSize`-byte datagrams in bursts; returns delivered MB/s (10^6 bytes). */
export async function rawDgramThroughput(bytes: number, datagramSize = 1200): Promise<number> {
  const rx = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
  const tx = createSocket({ type: 'udp4', sendBufferSize: 8 << 20 });
  rx.bind(0, '127.0.0.1');
  await once(rx, 'listening');
  tx.bind(0, '127.0.0.1');
  await once(tx, 'listening');
  tx.connect(rx.address().port, '127.0.0.1');
  await once(tx, 'connect');
  let received = 0;
  let last = 0;
  rx.on('message', (m) => {
    received += m.length;
    last = performance.now();
  });
  const payload = Buffer.alloc(datagramSize, 0x62);
  const total = Math.ceil(bytes / datagramSize);
  const start = performance.now();
  for (let sent = 0; sent < total; ) {
    const burst = Math.min(32, total - sent);
    for (let i = 0; i < burst; i++) tx.send(payload);
    sent += burst;
    await new Promise<void>((r) => setImmediate(r)); // let the receiver drain between bursts
  }
  await new Promise((r) => setTimeout(r, 200));
  const seconds = (last - start) / 1000;
  rx.close();
  tx.close();
  return received / 1e6 / seconds;
}
