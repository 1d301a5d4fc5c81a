/**
 * The implementations the runner knows, each an endpoint behind the same contract (interop/endpoint for quichs,
 * interop/peers/* for the others), with what it takes to install or build it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** Application protocols an endpoint can speak. */
export type Alpn = 'hq-interop' | 'h3';

/** One implementation. */
export interface Implementation {
  /** Name in the matrix. */
  name: string;
  /** ALPNs it can speak. */
  alpns: readonly Alpn[];
  /** Installs / builds it (idempotent); throws with a reason when that is impossible. */
  prepare(): void;
  /** The command that runs its endpoint. */
  command(): string[];
}

const tsxEndpoint = (file: string): string[] => [process.execPath, '--conditions=source', '--import', 'tsx', join(ROOT, file)];

function ensureSystemDeps(): void {
  execFileSync('bash', [join(ROOT, 'scripts', 'ensure-system-deps.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Our endpoint. */
export const QUICHS: Implementation = {
  name: 'quichs',
  alpns: ['hq-interop', 'h3'],
  prepare: () => {
    if (!existsSync(join(ROOT, 'interop', 'endpoint', 'main.ts'))) throw new Error('interop/endpoint/main.ts is missing');
  },
  command: () => tsxEndpoint('interop/endpoint/main.ts'),
};

/** quic-go 0.29 (Debian source), our Go peer program. */
export const QUIC_GO: Implementation = {
  name: 'quic-go',
  alpns: ['hq-interop', 'h3'],
  prepare: () => {
    ensureSystemDeps();
    execFileSync('bash', [join(ROOT, 'interop', 'peers', 'quic-go', 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  },
  command: () => [join(ROOT, 'interop', 'peers', 'quic-go', 'quicgo-peer')],
};

/** ngtcp2 0.12.1 (Debian's gtlsserver / gtlsclient) through its wrapper. */
export const NGTCP2: Implementation = {
  name: 'ngtcp2',
  alpns: ['h3'],
  prepare: () => {
    ensureSystemDeps();
    for (const bin of ['/usr/sbin/gtlsserver', '/usr/bin/gtlsclient']) {
      if (!existsSync(bin)) throw new Error(`${bin} is missing (apt-get install ngtcp2-server ngtcp2-client)`);
    }
  },
  command: () => tsxEndpoint('interop/peers/ngtcp2/endpoint.ts'),
};

/** Every implementation by name. */
export const IMPLEMENTATIONS: ReadonlyMap<string, Implementation> = new Map(
  [QUICHS, QUIC_GO, NGTCP2].map((i) => [i.name, i]),
);

/** The peers of the default matrix (quichs is the other side of every pair). */
export const DEFAULT_PEERS = ['ngtcp2', 'quic-go'] as const;

/** The ALPN a client/server pair uses for a case: h3 if forced or if either side speaks only h3, else hq-interop. */
export function alpnFor(client: Implementation, server: Implementation, forced?: 'h3'): Alpn | undefined {
  const common = client.alpns.filter((a) => server.alpns.includes(a));
  if (forced) return common.includes(forced) ? forced : undefined;
  if (common.includes('hq-interop')) return 'hq-interop';
  return common[0];
}
