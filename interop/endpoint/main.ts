/**
 * quichs's interop endpoint: the quic-interop-runner endpoint contract (see config.ts) on @quichs/quic-transport,
 * with hq-interop (HTTP/0.9) and HTTP/3 (interop/h3) for both roles. Exit 0 on success, 1 on failure, 127 for an
 * unsupported case.
 *
 * Run as: ROLE=… TESTCASE=… node --conditions=source --import tsx interop/endpoint/main.ts
 */
import { ConfigError, EXIT, readConfig, UnsupportedCase } from './config.js';
import { log, runClient, runServer } from './roles.js';

/** An error with its stack and, for a wrapped one (a transport INTERNAL_ERROR), the stack of its cause. */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? `\ncaused by: ${e.cause.stack ?? e.cause.message}` : '';
  return `${e.stack ?? e.message}${cause}`;
}

async function main(): Promise<number> {
  try {
    const cfg = readConfig(process.env);
    return cfg.role === 'server' ? await runServer(cfg) : await runClient(cfg);
  } catch (e) {
    if (e instanceof UnsupportedCase) {
      process.stderr.write(`unsupported: ${e.message}\n`);
      return EXIT.unsupported;
    }
    log(`failed: ${e instanceof ConfigError ? e.message : describeError(e)}`);
    return EXIT.failed;
  }
}

process.exit(await main());
