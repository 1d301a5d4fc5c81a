/**
 * The engine over the record layer, as TLS over TCP uses it: flights are framed at their level's keys, read keys
 * follow `engine.readLevel`, middlebox-compatibility CCS records are tolerated, application data and alerts flow.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTlsEngine, type TlsEngine } from '../src/engine/tlsEngine.js';
import { TlsState, type EncryptionLevel, type SecretName } from '../src/engine/tlsState.js';
import { RecordLayer } from '../src/record/recordLayer.js';
import { RecordType } from '../src/record/recordType.js';
import { decodeAlert } from '../src/record/alertMessage.js';
import { fakeCert, fakeVerifier, keyOf, provider } from './engine-helpers.js';

const s = suite('engine over records');

/** One endpoint: engine + record layer with key switching by level. */
class Endpoint {
  readonly records = new RecordLayer({ provider });
  readonly app: Uint8Array[] = [];
  private writeLevel: EncryptionLevel = 'initial';
  private readLevel: EncryptionLevel = 'initial';
  constructor(readonly engine: TlsEngine) {
    this.records.allowChangeCipherSpec(true);
  }

  private secretFor(level: EncryptionLevel, dir: 'read' | 'write'): Uint8Array {
    const mine = this.engine.role === 'client' ? 'client' : 'server';
    const theirs = mine === 'client' ? 'server' : 'client';
    const who = dir === 'write' ? mine : theirs;
    const name = `${who}${level === 'handshake' ? 'Handshake' : 'Application'}` as SecretName;
    return this.engine.secret(name)!;
  }

  /** Frames the engine's flights into records. */
  frame(flights: readonly { level: EncryptionLevel; data: Uint8Array }[], ccs = false): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const f of flights) {
      if (f.level !== this.writeLevel) {
        if (ccs && this.writeLevel === 'initial') out.push(this.records.writeChangeCipherSpec());
        this.writeLevel = f.level;
        this.records.setWriteKey(this.engine.cipherSuite!, this.secretFor(f.level, 'write'));
      }
      out.push(this.records.writeHandshake(f.data));
    }
    return out;
  }

  /** Switches write keys to the application level (after our Finished). */
  toApplication(): void {
    if (this.writeLevel !== 'application') {
      this.writeLevel = 'application';
      this.records.setWriteKey(this.engine.cipherSuite!, this.secretFor('application', 'write'));
    }
  }

  /** Receives bytes; returns records to send back. */
  receive(bytes: Uint8Array): Uint8Array[] {
    this.records.receive(bytes);
    const out: Uint8Array[] = [];
    for (let c = this.records.read(); c !== null; c = this.records.read()) {
      if (c.type === RecordType.application_data) {
        this.app.push(c.data);
        continue;
      }
      if (c.type === RecordType.alert) throw new Error(`alert ${decodeAlert(c.data).description}`);
      let r = this.engine.handshake(c.data);
      out.push(...this.frame(r.flights, this.engine.role === 'server'));
      if (r.state === TlsState.RCVD && this.engine.role === 'server') {
        r = this.engine.handshake(null);
        out.push(...this.frame(r.flights));
      }
      if (this.engine.readLevel !== this.readLevel) {
        this.readLevel = this.engine.readLevel;
        this.records.setReadKey(this.engine.cipherSuite!, this.secretFor(this.readLevel, 'read'));
        if (this.readLevel === 'application') this.records.allowChangeCipherSpec(false);
      }
      if (this.engine.state === TlsState.CONNECTED) this.toApplication();
    }
    return out;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

s('TCP-style handshake with middlebox CCS, application data and close_notify, delivered in 3-byte pieces', () => {
  const registry = { server: keyOf('ec-p256').publicKey };
  const client = new Endpoint(createTlsEngine('client', { provider, servername: 'example.com', certificateVerifier: fakeVerifier(registry) }));
  const server = new Endpoint(createTlsEngine('server', { provider, cert: fakeCert('server'), key: keyOf('ec-p256'), groups: ['secp256r1', 'x25519'] }));
  const hello = client.engine.handshake(null);
  // legacy_session_id is 32 bytes outside QUIC (middlebox compatibility mode)
  assert.is(hello.out[4 + 2 + 32], 32);
  let toServer = [...client.frame(hello.flights), client.records.writeChangeCipherSpec()];
  let toClient: Uint8Array[] = [];
  for (let round = 0; round < 4 && (toServer.length > 0 || toClient.length > 0); round++) {
    const bytes = concat(toServer);
    toServer = [];
    for (let i = 0; i < bytes.length; i += 3) toClient.push(...server.receive(bytes.subarray(i, i + 3)));
    const back = concat(toClient);
    toClient = [];
    for (let i = 0; i < back.length; i += 3) toServer.push(...client.receive(back.subarray(i, i + 3)));
  }
  assert.is(client.engine.state, TlsState.CONNECTED);
  assert.is(server.engine.state, TlsState.CONNECTED);
  server.receive(client.records.writeApplicationData(Uint8Array.of(1, 2, 3)));
  client.receive(server.records.writeApplicationData(new TextEncoder().encode('hello')));
  assert.equal([...server.app[0]], [1, 2, 3]);
  assert.is(new TextDecoder().decode(client.app[0]), 'hello');
  assert.throws(() => server.receive(client.records.writeAlert(0)), /alert 0/);
  // after the handshake a CCS is no longer tolerated
  assert.throws(() => client.receive(Uint8Array.of(20, 3, 3, 0, 1, 1)), /outside the handshake/);
});

s.run();
