import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamManager } from '../src/stream/streamManager.js';
import type { StreamControlFrame, StreamLimits } from '../src/stream/streamManager.js';
import type { StreamFrameFields } from '../src/stream/sendStream.js';

const s = suite('stream loopback with loss');

/** Applies a control frame sent by one endpoint to the other endpoint's manager. */
function deliverControl(to: StreamManager, f: StreamControlFrame): void {
  switch (f.kind) {
    case 'reset_stream':
      return to.onResetStream(f);
    case 'stop_sending':
      return to.onStopSending(f);
    case 'max_data':
      return to.onMaxData(f.maximum);
    case 'max_stream_data':
      return to.onMaxStreamData(f);
    case 'max_streams':
      return to.onMaxStreams(f.direction, f.maximum);
    case 'data_blocked':
      return to.onDataBlocked(f.maximum);
    case 'stream_data_blocked':
      return to.onStreamDataBlocked(f);
    case 'streams_blocked':
      return to.onStreamsBlocked(f.direction, f.maximum);
  }
}

function payload(id: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + id * 7 + (i >> 8)) & 0xff;
  return out;
}

s('data on several streams arrives intact through small windows, 20% loss and reordering', () => {
  const limits: StreamLimits = {
    maxData: 3000,
    maxStreamDataBidiLocal: 800,
    maxStreamDataBidiRemote: 800,
    maxStreamDataUni: 800,
    maxStreamsBidi: 2,
    maxStreamsUni: 2,
  };
  const client = new StreamManager({ role: 'client', local: limits, peer: limits });
  const server = new StreamManager({ role: 'server', local: limits, peer: limits });
  let seed = 7;
  const rnd = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const sizes = [5000, 2500, 7000, 1];
  const toSend = sizes.map((n, i) => ({ data: payload(i, n), written: 0, id: -1 }));
  const received = new Map<number, Uint8Array[]>();
  const finished = new Set<number>();

  for (let round = 0; round < 2000 && finished.size < sizes.length; round++) {
    // Client application: open streams as the limit allows, write in 700-byte pieces.
    for (const t of toSend) {
      if (t.id < 0) {
        const st = client.openStream('bidi');
        if (st === undefined) continue;
        t.id = st.id;
      }
      while (t.written < t.data.length && client.stream(t.id)?.send?.writable) {
        const n = Math.min(700, t.data.length - t.written);
        client.write(t.id, t.data.subarray(t.written, t.written + n));
        t.written += n;
        if (t.written === t.data.length) client.end(t.id);
      }
    }
    // One "packet" each way: control frames then stream frames, each lost with probability 0.2, reordered.
    const inflight: (() => void)[] = [];
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      for (let f = from.pollControlFrame(); f !== undefined; f = from.pollControlFrame()) {
        const frame = f;
        if (rnd() < 0.2) from.onControlFrameLost(frame);
        else inflight.push(() => {
          deliverControl(to, frame);
          from.onControlFrameAcked(frame);
        });
      }
      for (let budget = 1200; budget > 50; ) {
        const f: StreamFrameFields | undefined = from.pollStreamFrame(Math.min(budget, 400));
        if (f === undefined) break;
        budget -= f.data.length + 8;
        const sent = { streamId: f.streamId, offset: f.offset, length: f.data.length, fin: f.fin };
        if (rnd() < 0.2) from.onStreamFrameLost(sent);
        else inflight.push(() => {
          to.onStreamFrame(f);
          from.onStreamFrameAcked(sent);
        });
      }
    }
    while (inflight.length > 0) inflight.splice(Math.floor(rnd() * inflight.length), 1)[0]();
    // Server application: read everything readable.
    for (let e = server.pollEvent(); e !== undefined; e = server.pollEvent()) {
      if (e.type !== 'readable') continue;
      const st = server.stream(e.streamId);
      for (let d = server.read(e.streamId); d !== undefined; d = server.read(e.streamId)) {
        const list = received.get(e.streamId) ?? [];
        list.push(d.slice());
        received.set(e.streamId, list);
      }
      if (st?.recv?.finished) {
        finished.add(e.streamId);
        server.end(e.streamId); // close our side too so the stream can be forgotten
      }
    }
    for (let e = client.pollEvent(); e !== undefined; e = client.pollEvent()) void e;
  }
  assert.is(finished.size, sizes.length, 'all streams finished');
  for (const t of toSend) {
    const parts = received.get(t.id) ?? [];
    const total = parts.reduce((n, p) => n + p.length, 0);
    const joined = new Uint8Array(total);
    let pos = 0;
    for (const p of parts) {
      joined.set(p, pos);
      pos += p.length;
    }
    assert.equal(joined, t.data, `stream ${t.id}`);
  }
  assert.ok(server.receiveWindow.limit > 3000, 'MAX_DATA was raised');
  assert.ok(toSend[3].id >= 8, 'the fourth stream needed MAX_STREAMS');
});

s.run();
