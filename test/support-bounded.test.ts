/**
 * The guards that keep real-peer tests from hanging (test/support/bounded.ts): a case that never finishes is failed by
 * its deadline with its peer process killed and its sockets and servers released; readUntil neither destroys the
 * stream it reads (a `for await … break` would — the cause of the old tls-hs-realpeers hang) nor waits past end,
 * close or its own timeout.
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readUntil, withDeadline } from './support/bounded.js';
import { freeTcpPort, startPeer, waitForOutput } from './support/peerProcess.js';

const s = suite('test support: bounded waits');

s('a stuck case fails at its deadline; its peer is killed and its sockets and server are released', async () => {
  let peerExit: Promise<number | null> | undefined;
  let client: Socket | undefined;
  let accepted: Socket | undefined;
  const server = createServer((c) => (accepted = c));
  const started = Date.now();
  const err = await withDeadline(400, 'stuck case', async (r) => {
    const port = await freeTcpPort();
    const peer = r.peer(startPeer('openssl', ['s_server', '-accept', String(port), '-naccept', '1', '-nocert', '-psk', 'aa'], 60_000));
    peerExit = peer.exited;
    assert.ok(await waitForOutput(peer, (o) => o.includes('ACCEPT')));
    r.server(server).listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = r.socket(connect((server.address() as { port: number }).port, '127.0.0.1'));
    await once(client, 'connect');
    await new Promise(() => undefined); // waits forever, like a peer that never answers
  }).then(() => undefined, (e: Error) => e);
  assert.instance(err, Error);
  assert.match(err!.message, /stuck case: no result within 400 ms/);
  assert.ok(Date.now() - started < 5000);
  await Promise.race([peerExit, new Promise((r) => setTimeout(r, 2000))]);
  assert.ok(client!.destroyed, 'client socket destroyed');
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(accepted === undefined || accepted.destroyed, 'accepted connection destroyed');
  assert.not.ok(server.listening, 'server closed');
  assert.is.not(await Promise.race([peerExit, Promise.resolve('running')]), 'running', 'peer process killed');
});

s('readUntil leaves the stream open and usable, and gives up on end or after its timeout', async () => {
  const a = new PassThrough();
  a.write('hello\n');
  assert.is(await readUntil(a, (t) => t.includes('\n')), 'hello\n');
  assert.not.ok(a.destroyed);
  a.write('again\n');
  assert.is(await readUntil(a, (t) => t.includes('\n')), 'again\n');
  const timedOut = await readUntil(a, () => false, 50).then(() => undefined, (e: Error) => e);
  assert.match(timedOut!.message, /no expected data within 50 ms/);
  a.end('partial');
  const ended = await readUntil(a, (t) => t.includes('\n'), 2000).then(() => undefined, (e: Error) => e);
  assert.match(ended!.message, /ended before the expected data; got "partial"/);
});

s.run();
