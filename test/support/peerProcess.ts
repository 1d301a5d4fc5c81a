/**
 * Test support: start real peer programs (openssl s_server / s_client) on loopback with bounded time, and free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';

/** A free TCP port on 127.0.0.1 (the probe socket is closed before returning). */
export async function freeTcpPort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A running peer process with its collected output. */
export interface PeerProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  stop: () => void;
}

/** Spawns a command; it is killed after `timeoutMs` whatever happens. */
export function startPeer(cmd: string, args: string[], timeoutMs = 15000): PeerProcess {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('latin1')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  timer.unref();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    clearTimeout(timer);
    resolve(code);
  }));
  return { child, stdout: () => out, stderr: () => err, exited, stop: () => child.kill('SIGKILL') };
}

/** Waits until `pred(output)` holds or the time runs out; returns whether it held. */
export async function waitForOutput(peer: PeerProcess, pred: (out: string) => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!pred(peer.stdout() + peer.stderr())) {
    if (Date.now() > deadline || peer.child.exitCode !== null) return pred(peer.stdout() + peer.stderr());
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/**
 * Connects to 127.0.0.1:`port` as soon as something listens there (for peers that print nothing when ready, like
 * `s_server -quiet`); retries every 20 ms and gives up after `timeoutMs`.
 */
export async function connectWhenListening(port: number, timeoutMs = 5000): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const socket = connect(port, '127.0.0.1');
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (ok) return socket;
    socket.destroy();
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
