/**
 * The UDP Endpoint with large datagrams on loopback: maxDatagramSize beyond what an IPv4 socket can send (65 527)
 * is capped at 65 507 so the connection still works (before, every send failed with EMSGSIZE and the handshake
 * idled out); 64 KB datagrams carry a 2 MB transfer intact. Every wait has a timeout.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { Endpoint, type QuicConnection, type QuicStreamDuplex } from '../src/index.js';
import { clientTls, serverTls } from './support/quicFixtures.js';

const s = suite('endpointDatagramSize');

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

s('maxDatagramSize 65527 over udp4: capped at 65507, a 2 MB echo goes through in datagrams far above 1500 bytes', async () => {
  const server = await Endpoint.open({});
  const client = await Endpoint.open({});
  try {
    server.listen({ tls: serverTls(), connection: { maxDatagramSize: 65_527 } });
    server.on('connection', (c: QuicConnection) => c.on('stream', (st: QuicStreamDuplex) => st.pipe(st)));
    const conn = client.connect('127.0.0.1', server.address().port, { tls: clientTls(), connection: { maxDatagramSize: 65_527 } });
    await within(5000, conn.ready);
    const st = conn.openStream();
    const data = randomBytes(2_000_000);
    const parts: Buffer[] = [];
    st.on('data', (d: Buffer) => parts.push(d));
    const ended = new Promise((r) => st.once('end', r));
    st.end(data);
    await within(10_000, ended);
    assert.ok(Buffer.concat(parts).equals(data));
    const stats = conn.stats();
    assert.is(client.sendErrors, 0);
    assert.ok((stats.bytesReceived ?? 0) / (stats.datagramsReceived ?? 1) > 4000, 'large datagrams were used');
  } finally {
    await client.close();
    await server.close();
  }
});

s.run();
