/**
 * Runs one test: a client implementation against a server implementation for one case. Serves fresh random files,
 * starts the server on a free port, puts the recording (and, for the loss cases, dropping) relay in front of it,
 * runs the client against the relay under the case's deadline, stops everything, then judges: exit codes, the
 * downloaded bytes, and the decrypted trace. Logs, key logs, qlogs, the trace listing and a pcap are kept for
 * failures (and on request).
 */
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSpec, TestCase } from './cases.js';
import { readKeyLogs } from './keyLog.js';
import { writePcap } from './pcap.js';
import { alpnFor, ROOT, type Implementation } from './peers.js';
import { freeUdpPort, logTail, startEndpoint, unsupportedReason, waitForUdpBind } from './processes.js';
import { Relay } from './relay.js';
import { analyzeTrace } from './trace/analyzer.js';
import type { LevelCounts, Side, TraceReport } from './trace/connectionTrace.js';

/** Outcome of one test. */
export type Outcome = 'pass' | 'fail' | 'unsupported';

/** One result row. */
export interface CaseResult {
  /** Client implementation. */
  client: string;
  /** Server implementation. */
  server: string;
  /** Case name. */
  case: string;
  /** Outcome. */
  result: Outcome;
  /** Client run time (ms). */
  ms: number;
  /** Why it failed or is unsupported ('' for a pass). */
  reason: string;
  /** Where its logs are (failures, or all with keepLogs). */
  logDir?: string;
  /** What the run showed (absent when it never got as far as a client run and a trace). */
  evidence?: CaseEvidence;
}

/** The evidence behind a result: the byte comparison and, per connection, what the decrypted trace showed. */
export interface CaseEvidence {
  /** The ALPN both endpoints were told to use. */
  alpn: string;
  /** Every requested file and whether its download is byte-for-byte identical to what the server served. */
  files: { name: string; size: number; identical: boolean }[];
  /** Datagrams the relay saw (and dropped). */
  datagrams: TraceReport['datagrams'];
  /** One entry per connection, in order of appearance. */
  connections: ConnectionEvidence[];
}

/** One connection as the relay's trace (decrypted with the key logs) saw it. */
export interface ConnectionEvidence {
  /** Handshake completed (client Finished or HANDSHAKE_DONE decrypted, else 1-RTT both ways). */
  handshakeCompleted: boolean;
  /** How `handshakeCompleted` was decided. */
  completionEvidence: 'decrypted' | 'inferred' | 'none';
  /** Long-header versions the client sent. */
  clientVersions: number[];
  /** Long-header versions the server sent. */
  serverVersions: number[];
  /** ALPN protocols offered in the ClientHello. */
  offeredAlpn: string[];
  /** The ALPN selected in the (decrypted) EncryptedExtensions. */
  alpn: string | undefined;
  /** The cipher suite of the ServerHello. */
  cipherSuite: number | undefined;
  /** Retry packets. */
  retries: number;
  /** Packets per sender and level. */
  packets: Record<Side, LevelCounts>;
  /** Packets per sender and level that could not be decrypted. */
  undecryptable: Record<Side, LevelCounts>;
  /** Stream bytes each sender carried in decrypted 1-RTT packets (see ConnectionTrace.oneRttStreamData). */
  oneRttStreamData: Record<Side, number>;
}

function connectionEvidence(report: TraceReport): ConnectionEvidence[] {
  const levels = (p: LevelCounts): LevelCounts => ({ initial: p.initial, zeroRtt: p.zeroRtt, handshake: p.handshake, oneRtt: p.oneRtt });
  return report.connections.map((c) => ({
    handshakeCompleted: c.handshakeCompleted,
    completionEvidence: c.completionEvidence,
    clientVersions: [...c.clientVersions],
    serverVersions: [...c.serverVersions],
    offeredAlpn: [...(c.clientHello?.alpn ?? [])],
    alpn: c.encryptedExtensions?.alpn,
    cipherSuite: c.serverHello?.cipherSuite,
    retries: c.retries.length,
    packets: { client: levels(c.packets.client), server: levels(c.packets.server) },
    undecryptable: { client: levels(c.undecryptable.client), server: levels(c.undecryptable.server) },
    oneRttStreamData: { ...c.oneRttStreamData },
  }));
}

/** Options of {@link runCase}. */
export interface RunCaseOptions {
  /** CERTS directory (see pki.ts). */
  certs: string;
  /** Directory of this run's logs. */
  logsRoot: string;
  /** Keep the logs of passing tests too. */
  keepLogs?: boolean;
  /** Seed of the relay's drop decisions. */
  seed?: number;
  /** Multiplies every deadline. */
  timeoutScale?: number;
}

function serveFiles(www: string, files: readonly FileSpec[]): void {
  const buf = Buffer.alloc(Math.max(1, ...files.map((f) => f.size)));
  for (const f of files) {
    const data = buf.subarray(0, f.size);
    randomFillSync(data);
    writeFileSync(join(www, f.name), data);
  }
}

/** Byte-for-byte comparison of one download with the served file: the problem, or undefined if identical. */
function fileProblem(www: string, downloads: string, f: FileSpec): string | undefined {
  const path = join(downloads, f.name);
  if (!existsSync(path)) return `${f.name}: not downloaded`;
  const got = readFileSync(path);
  const want = readFileSync(join(www, f.name));
  if (got.length !== want.length) return `${f.name}: ${got.length} of ${want.length} bytes`;
  if (got.equals(want)) return undefined;
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  return `${f.name}: content differs from byte ${i}`;
}

/** Byte-for-byte comparison of the downloads; returns the problems. */
export function compareFiles(www: string, downloads: string, files: readonly FileSpec[]): string[] {
  return files.map((f) => fileProblem(www, downloads, f)).filter((p): p is string => p !== undefined);
}

function firstLines(problems: readonly string[], max = 3): string {
  return problems.length <= max ? problems.join('; ') : `${problems.slice(0, max).join('; ')}; … (${problems.length - max} more)`;
}

/** A short reason from an endpoint's log: its "failed: …" line, else its last non-empty line. */
function logReason(file: string): string {
  const lines = logTail(file, 16 * 1024).split('\n').map((l) => l.trim()).filter(Boolean);
  const failed = [...lines].reverse().find((l) => /failed|error/i.test(l));
  return (failed ?? lines[lines.length - 1] ?? '').slice(0, 300);
}

/** Runs one test. */
export async function runCase(client: Implementation, server: Implementation, tc: TestCase, options: RunCaseOptions): Promise<CaseResult> {
  const base = { client: client.name, server: server.name, case: tc.name };
  const alpn = alpnFor(client, server, tc.alpn);
  if (alpn === undefined) {
    const who = tc.alpn && !client.alpns.includes(tc.alpn) ? client : server;
    return { ...base, result: 'unsupported', ms: 0, reason: `${who.name} cannot speak ${tc.alpn ?? 'a common ALPN'}` };
  }
  const scale = options.timeoutScale ?? 1;
  const logDir = join(options.logsRoot, `${client.name}_${server.name}`, tc.name);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(join(logDir, 'qlog', 'client'), { recursive: true });
  mkdirSync(join(logDir, 'qlog', 'server'), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'quichs-interop-'));
  const www = join(work, 'www');
  const downloads = join(work, 'downloads');
  mkdirSync(www);
  mkdirSync(downloads);
  const files = tc.files();
  serveFiles(www, files);
  const keys = { client: join(logDir, 'client.keys'), server: join(logDir, 'server.keys') };
  const common = { TESTCASE: tc.testcase, CERTS: options.certs, ALPN: alpn };
  let relay: Relay | undefined;
  let evidence: CaseEvidence | undefined;
  const result = (outcome: Outcome, ms: number, reason: string): CaseResult => ({
    ...base,
    result: outcome,
    ms: Math.round(ms),
    reason,
    ...(evidence ? { evidence } : {}),
  });
  const srvPort = await freeUdpPort();
  const srv = startEndpoint(`${server.name} server`, server.command(), {
    ...common,
    ROLE: 'server',
    WWW: www,
    SSLKEYLOGFILE: keys.server,
    QLOGDIR: join(logDir, 'qlog', 'server'),
    HOST: '127.0.0.1',
    PORT: String(srvPort),
  }, join(logDir, 'server.log'), (tc.timeoutMs * scale) + 60_000, ROOT);
  let res: CaseResult;
  try {
    const up = await waitForUdpBind(srvPort, srv, 15_000 * scale);
    if (up !== 'bound') {
      const exit = await srv.stop();
      if (exit.code === 127) res = result('unsupported', 0, `${server.name} server: ${unsupportedReason(srv.logFile) ?? 'unsupported'}`);
      else res = result('fail', 0, `${server.name} server ${up === 'exited' ? `exited with ${exit.code ?? exit.signal}` : 'did not bind its port'}: ${logReason(srv.logFile)}`);
    } else {
      relay = await Relay.open({ serverPort: srvPort, lossToServer: tc.loss, lossToClient: tc.loss, seed: options.seed ?? 1 });
      const requests = files.map((f) => `https://127.0.0.1:${relay!.port}/${f.name}`).join(' ');
      const cli = startEndpoint(`${client.name} client`, client.command(), {
        ...common,
        ROLE: 'client',
        REQUESTS: requests,
        DOWNLOADS: downloads,
        SSLKEYLOGFILE: keys.client,
        QLOGDIR: join(logDir, 'qlog', 'client'),
      }, join(logDir, 'client.log'), tc.timeoutMs * scale, ROOT);
      const exit = await cli.exited;
      // let the last datagrams (CONNECTION_CLOSE) reach the relay before the server goes
      await new Promise((r) => setTimeout(r, 150));
      const srvExit = await srv.stop();
      await relay.close();
      if (exit.code === 127) {
        res = result('unsupported', exit.ms, `${client.name} client: ${unsupportedReason(cli.logFile) ?? 'unsupported'}`);
      } else if (srvExit.code === 127) {
        res = result('unsupported', exit.ms, `${server.name} server: ${unsupportedReason(srv.logFile) ?? 'unsupported'}`);
      } else {
        const problems: string[] = [];
        if (exit.killedByRunner) problems.push(`client timed out after ${Math.round((tc.timeoutMs * scale) / 1000)} s`);
        else if (exit.code !== 0) problems.push(`client exited with ${exit.code ?? exit.signal}: ${logReason(cli.logFile)}`);
        if (!srvExit.killedByRunner) problems.push(`server exited by itself with ${srvExit.code ?? srvExit.signal}: ${logReason(srv.logFile)}`);
        const verdicts = files.map((f) => ({ f, problem: fileProblem(www, downloads, f) }));
        problems.push(...verdicts.flatMap((v) => (v.problem === undefined ? [] : [v.problem])));
        const report = analyzeTrace(relay.datagrams, readKeyLogs([keys.client, keys.server]));
        evidence = {
          alpn,
          files: verdicts.map((v) => ({ name: v.f.name, size: v.f.size, identical: v.problem === undefined })),
          datagrams: { ...report.datagrams },
          connections: connectionEvidence(report),
        };
        const judged = tc.judge({ report, files, alpn });
        writeFileSync(join(logDir, 'trace.txt'), report.listing.join('\n') + '\n');
        writeFileSync(join(logDir, 'trace.json'), JSON.stringify({ ...report, listing: undefined }, null, 1));
        if (!Array.isArray(judged)) {
          const peer = client.name === 'quichs' ? server.name : client.name;
          res = result('unsupported', exit.ms, `${peer}: ${judged.unsupported}`);
        } else {
          problems.push(...judged);
          res = problems.length === 0 ? result('pass', exit.ms, '') : result('fail', exit.ms, firstLines(problems));
        }
      }
    }
  } finally {
    await srv.stop();
    await relay?.close();
  }
  if (res.result === 'fail' && relay) writePcap(join(logDir, 'trace.pcap'), relay.datagrams, relay.port);
  writeFileSync(join(logDir, 'result.json'), JSON.stringify(res, null, 1) + '\n');
  rmSync(work, { recursive: true, force: true });
  if (res.result === 'fail' || options.keepLogs) res.logDir = logDir;
  else rmSync(logDir, { recursive: true, force: true });
  return res;
}
