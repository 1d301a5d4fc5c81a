/**
 * The server engine fed the RFC 8448 §3 ClientHello, with the trace's server random and X25519 share injected,
 * answers with the trace's ServerHello byte for byte and derives the trace's handshake traffic secrets.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CryptoProvider, KeyExchangeGroup } from '../src/crypto/provider.js';
import { createTlsEngine } from '../src/engine/tlsEngine.js';
import { TlsState } from '../src/engine/tlsState.js';
import { fixture, hex, providers, toHex } from './crypto-helpers.js';
import { fakeCert, keyOf } from './engine-helpers.js';

const v = fixture<{ named: Record<string, string> }>('vectors-rfc8448-simple.json');
const n = (k: string): Uint8Array => hex(v.named[k]);

for (const base of providers) {
  const s = suite(`rfc8448 §3 server engine (${base.name})`);

  s('ServerHello and handshake secrets reproduced from the trace ClientHello', () => {
    const seen: string[] = [];
    const provider: CryptoProvider = Object.create(base, {
      respondKeyShare: {
        value: (group: KeyExchangeGroup, clientShare: Uint8Array) => {
          seen.push(`${group}:${toHex(clientShare)}`);
          return { publicKey: n('server_x25519_public_key'), sharedSecret: n('ecdhe_shared_secret') };
        },
      },
    }) as CryptoProvider;
    const random = hex(v.named.server_hello.slice(12, 76));
    const lines: string[] = [];
    const server = createTlsEngine('server', {
      provider,
      rng: (len) => {
        assert.is(len, 32);
        return random;
      },
      cert: fakeCert('server'),
      key: keyOf('ec-p256'),
      keylog: (l) => lines.push(l),
    });
    const r = server.handshake(n('client_hello'));
    assert.is(r.state, TlsState.RCVD);
    assert.equal(seen, [`x25519:${v.named.client_x25519_public_key}`]);
    assert.is(toHex(r.out), v.named.server_hello);
    assert.is(server.serverName, 'server');
    assert.is(server.cipherSuite!.code, 0x1301);
    assert.is(toHex(server.secret('early')!), v.named.early_secret);
    assert.is(toHex(server.secret('handshake')!), v.named.handshake_secret);
    assert.is(toHex(server.secret('clientHandshake')!), v.named.client_handshake_traffic_secret);
    assert.is(toHex(server.secret('serverHandshake')!), v.named.server_handshake_traffic_secret);
    const clientRandom = v.named.client_hello.slice(12, 76);
    assert.equal(lines, [
      `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${clientRandom} ${v.named.client_handshake_traffic_secret}`,
      `SERVER_HANDSHAKE_TRAFFIC_SECRET ${clientRandom} ${v.named.server_handshake_traffic_secret}`,
    ]);
  });

  s.run();
}
