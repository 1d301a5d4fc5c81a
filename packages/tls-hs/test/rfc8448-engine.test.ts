/**
 * The server engine fed the RFC 8448 §3 ClientHello, with the trace's server random and X25519 share injected,
 * answers with the trace's ServerHello byte for byte and derives the trace's handshake traffic secrets; with the
 * trace's RSA key and certificate it then produces the trace's whole flight (EncryptedExtensions, Certificate,
 * CertificateVerify, Finished) byte for byte, accepts the trace's client Finished and derives every later secret.
 * RSA-PSS signatures are randomized, so the engine's own CertificateVerify signature is checked to verify, and the
 * trace's signature — over exactly the content the engine asked to sign — is verified with the provider and then
 * sent in its place.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CryptoProvider, KeyExchangeGroup } from '../src/crypto/provider.js';
import { createPrivateKey } from 'node:crypto';
import { createTlsEngine } from '../src/engine/tlsEngine.js';
import type { PrivateKey, SignatureParams } from '../src/crypto/provider.js';
import { CryptoError } from '../src/crypto/errors.js';
import { certificateVerifySignedContent, parseCertificateVerify } from '../src/wire/certificateVerify.js';
import { parseEncryptedExtensions } from '../src/wire/encryptedExtensions.js';
import { TlsState, type SecretName } from '../src/engine/tlsState.js';
import { RecordCipher } from '../src/record/recordCipher.js';
import { TLS_AES_128_GCM_SHA256 } from '../src/keyschedule/cipherSuite.js';
import { fixture, hex, providers, toHex } from './crypto-helpers.js';
import { fakeCert, keyOf } from './engine-helpers.js';
import { parseX509Certificate } from '../src/x509/certificate.js';

interface RsaKeyHex {
  modulus: string;
  public_exponent: string;
  private_exponent: string;
  prime1: string;
  prime2: string;
  exponent1: string;
  exponent2: string;
  coefficient: string;
}
const v = fixture<{ named: Record<string, string>; server_rsa_key: RsaKeyHex; server_certificate_der: string; records: { description: string; payload: string; complete_record: string; protected_with?: string; sequence_number?: string }[] }>('vectors-rfc8448-simple.json');

/** The trace's RSA key as PKCS#8 DER (built from its printed components). */
function rfcServerKeyDer(): Uint8Array {
  const k = v.server_rsa_key;
  const b64 = (h: string) => Buffer.from(h, 'hex').toString('base64url');
  const key = createPrivateKey({
    key: { kty: 'RSA', n: b64(k.modulus), e: b64(k.public_exponent), d: b64(k.private_exponent), p: b64(k.prime1), q: b64(k.prime2), dp: b64(k.exponent1), dq: b64(k.exponent2), qi: b64(k.coefficient) },
    format: 'jwk',
  });
  return new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
}
const n = (k: string): Uint8Array => hex(v.named[k]);

/** The SubjectPublicKeyInfo of the trace's certificate. */
function rfcSpki(): Uint8Array {
  return parseX509Certificate(hex(v.server_certificate_der)).spki;
}

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

  s('the whole server side of the trace: flight byte for byte, RSA-PSS CertificateVerify, client Finished, secrets', () => {
    const signed: Uint8Array[] = [];
    const rfcSignature = parseCertificateVerify(n('certificate_verify').subarray(4)).signature;
    const provider: CryptoProvider = Object.create(base, {
      respondKeyShare: { value: () => ({ publicKey: n('server_x25519_public_key'), sharedSecret: n('ecdhe_shared_secret') }) },
      sign: {
        value: (key: PrivateKey, params: SignatureParams, data: Uint8Array) => {
          signed.push(data);
          const own = base.sign(key, params, data);
          base.verify(key.publicKey, params, data, own); // the engine's own RSA-PSS signature is valid
          return rfcSignature;
        },
      },
    }) as CryptoProvider;
    const ee = parseEncryptedExtensions(n('encrypted_extensions').subarray(4)).extensions;
    const server = createTlsEngine('server', {
      provider,
      rng: () => hex(v.named.server_hello.slice(12, 76)),
      cert: hex(v.server_certificate_der),
      key: rfcServerKeyDer(),
      // the trace's server also answers supported_groups and record_size_limit (RFC 8449)
      extensions: ee.filter((e) => e.type !== 0),
    });
    assert.is(toHex(server.handshake(n('client_hello')).out), v.named.server_hello);
    const flight = server.handshake(null);
    assert.is(flight.state, TlsState.WAIT);
    assert.equal(flight.flights.map((f) => f.level), ['handshake']);
    const expected = v.named.encrypted_extensions + v.named.certificate + v.named.certificate_verify + v.named.server_finished;
    assert.is(toHex(flight.out), expected);
    assert.is(server.signatureScheme, 0x0804);

    // what the engine signed is the RFC 8446 §4.4.3 content over Hash(ClientHello..Certificate) of the trace
    const th = base.hash('sha256', hex(v.named.client_hello + v.named.server_hello + v.named.encrypted_extensions + v.named.certificate));
    assert.equal(signed, [certificateVerifySignedContent(th, 'server')]);
    // and the trace's signature verifies over it with this provider (RSA-PSS, SHA-256, salt = hash length)
    const certKey = base.importPublicKey(rfcSpki());
    const pss: SignatureParams = { kind: 'rsa-pss', hash: 'sha256' };
    base.verify(certKey, pss, signed[0], rfcSignature);
    const bad = rfcSignature.slice();
    bad[10] ^= 1;
    assert.throws(() => base.verify(certKey, pss, signed[0], bad), (e: unknown) => e instanceof CryptoError && e.code === 'BAD_SIGNATURE');
    assert.throws(() => base.verify(certKey, pss, certificateVerifySignedContent(th, 'client'), rfcSignature), (e: unknown) => e instanceof CryptoError);

    assert.is(toHex(server.secret('master')!), v.named.master_secret);
    assert.is(toHex(server.secret('clientApplication')!), v.named.client_application_traffic_secret_0);
    assert.is(toHex(server.secret('serverApplication')!), v.named.server_application_traffic_secret_0);
    assert.is(toHex(server.secret('exporter')!), v.named.exporter_master_secret);
    const done = server.handshake(n('client_finished'));
    assert.is(done.state, TlsState.CONNECTED);
    assert.is(toHex(server.secret('resumption')!), v.named.resumption_master_secret);

    // the trace's first record under each key decrypts with the engine's own secrets
    const bySecret: Record<string, SecretName> = {
      'server_handshake_key/iv': 'serverHandshake',
      'client_handshake_key/iv': 'clientHandshake',
      'server_application_key/iv': 'serverApplication',
      'client_application_key/iv': 'clientApplication',
    };
    let opened = 0;
    for (const rec of v.records) {
      if (rec.protected_with === undefined || Number(rec.sequence_number) !== 0) continue;
      const cipher = new RecordCipher(base, TLS_AES_128_GCM_SHA256, server.secret(bySecret[rec.protected_with])!);
      const bytes = hex(rec.complete_record);
      const plain = cipher.open(bytes.subarray(0, 5), bytes.subarray(5));
      assert.is(toHex(plain.content), rec.payload, rec.description);
      opened++;
    }
    assert.is(opened, 4);
    assert.is(v.records[2].payload, expected); // the server's encrypted flight is exactly what the engine produced
  });

  s('a wrong client Finished from the trace is refused with decrypt_error', () => {
    const provider: CryptoProvider = Object.create(base, {
      respondKeyShare: { value: () => ({ publicKey: n('server_x25519_public_key'), sharedSecret: n('ecdhe_shared_secret') }) },
    }) as CryptoProvider;
    const server = createTlsEngine('server', { provider, rng: () => hex(v.named.server_hello.slice(12, 76)), cert: hex(v.server_certificate_der), key: rfcServerKeyDer() });
    server.handshake(n('client_hello'));
    server.handshake(null);
    const fin = n('client_finished');
    fin[fin.length - 1] ^= 1;
    assert.throws(() => server.handshake(fin), (e: unknown) => e instanceof Error && /decrypt_error/.test(e.message));
  });

  s.run();
}
