/**
 * Child processes of the runner: every endpoint runs in its own process group (so a wrapper and the peer binary it
 * starts die together), with its output in a log file, a hard deadline, and a registry that kills whatever is still
 * alive when the runner exits or is interrupted. Also free UDP ports and "is this UDP port bound yet" from
 * /proc/net/udp{,6}.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** How an endpoint process ended. */
export interface ExitInfo {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  /** Signal name when killed. */
  signal: NodeJS.Signals | null;
  /** True when the runner killed it (deadline or cleanup). */
  killedByRunner: boolean;
  /** Wall time from spawn to exit (ms). */
  ms: number;
}

/** A running endpoint. */
export interface EndpointProcess {
  /** Name for messages ("quic-go server"). */
  readonly name: string;
  /** Process ID (also the process group ID). */
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** True once it exited. */
  readonly done: () => boolean;
  /** Kills the whole process group (SIGTERM, then SIGKILL after `graceMs`) and waits for the exit. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** The log file (stdout and stderr). */
  readonly logFile: string;
}

const live = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const pid of live) killGroup(pid, 'SIGKILL');
      process.exit(130);
    });
  }
}

/**
 * Starts `command[0]` with `command.slice(1)` and `env` (added to the runner's environment), output appended to
 * `logFile`. It is killed (whole group) after `deadlineMs` whatever happens.
 */
export function startEndpoint(
  name: string,
  command: readonly string[],
  env: Record<string, string>,
  logFile: string,
  deadlineMs: number,
  cwd?: string,
): EndpointProcess {
  hookExit();
  const fd = openSync(logFile, 'a');
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
    detached: true,
    cwd,
  });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${name}: ${command.join(' ')}`);
  live.add(pid);
  let killedByRunner = false;
  let finished = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('exit', (code, signal) => {
      finished = true;
      clearTimeout(timer);
      // the group may still hold grandchildren (a wrapper's peer binary): end them too
      killGroup(pid, 'SIGKILL');
      live.delete(pid);
      resolve({ code, signal, killedByRunner, ms: performance.now() - started });
    });
    child.on('error', () => {
      finished = true;
      clearTimeout(timer);
      live.delete(pid);
      resolve({ code: 1, signal: null, killedByRunner, ms: performance.now() - started });
    });
  });
  const timer = setTimeout(() => {
    killedByRunner = true;
    killGroup(pid, 'SIGKILL');
  }, deadlineMs);
  timer.unref();
  const stop = async (graceMs = 1000): Promise<ExitInfo> => {
    if (!finished) {
      killedByRunner = true;
      killGroup(pid, 'SIGTERM');
      const t = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      const info = await exited;
      clearTimeout(t);
      return info;
    }
    return exited;
  };
  return { name, pid, exited, done: () => finished, stop, logFile };
}

/** A UDP port on 127.0.0.1 that was free a moment ago (the probe socket is closed before returning). */
export async function freeUdpPort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** True if some socket is bound to UDP `port` (any address), per /proc/net/udp and /proc/net/udp6. */
export function udpPortBound(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local !== undefined && local.endsWith(`:${hex}`)) return true;
    }
  }
  return false;
}

/**
 * Waits until UDP `port` is bound, the process exits, or `timeoutMs` passes. Returns 'bound', 'exited' or
 * 'timeout'.
 */
export async function waitForUdpBind(port: number, proc: EndpointProcess, timeoutMs: number): Promise<'bound' | 'exited' | 'timeout'> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (udpPortBound(port)) return 'bound';
    if (proc.done()) return 'exited';
    if (performance.now() > deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads the last `max` characters of a log file ('' if missing). */
export function logTail(file: string, max = 4000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > max ? text.slice(-max) : text;
  } catch {
    return '';
  }
}

/** The reason an endpoint gave for exit 127: its last "unsupported: …" line, if any. */
export function unsupportedReason(file: string): string | undefined {
  const lines = logTail(file, 64 * 1024).split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /unsupported:\s*(.+)$/.exec(lines[i]);
    if (m) return m[1].trim();
  }
  return undefined;
}
