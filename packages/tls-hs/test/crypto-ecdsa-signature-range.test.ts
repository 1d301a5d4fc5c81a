import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CURVE_ORDERS, checkEcdsaSignature, encodeEcdsaSignature, parseEcdsaSignature, type NistCurve } from '../src/crypto/ecdsaSignature.js';
import { CryptoError } from '../src/crypto/errors.js';

const rejects = (sig: Uint8Array, curve: NistCurve, what: string): void => {
  for (const f of [checkEcdsaSignature, parseEcdsaSignature]) {
    try {
      f(sig, curve);
    } catch (e) {
      assert.instance(e, CryptoError, what);
      assert.is((e as CryptoError).code, 'BAD_SIGNATURE', what);
      continue;
    }
    assert.unreachable(`${what}: accepted by ${f.name}`);
  }
};

for (const curve of ['P-256', 'P-384'] as const) {
  const n = CURVE_ORDERS[curve];
  test(`${curve}: the byte-wise range check agrees with the BigInt one at every boundary`, () => {
    const accepted: [bigint, bigint][] = [[1n, 1n], [n - 1n, n - 1n], [0x80n, 0x7fn], [n >> 8n, (n - 1n) >> 1n], [(1n << 255n) + 5n, 2n]];
    for (const [r, s] of accepted) {
      const sig = encodeEcdsaSignature(r, s);
      checkEcdsaSignature(sig, curve);
      assert.equal(parseEcdsaSignature(sig, curve), { r, s });
    }
    rejects(encodeEcdsaSignature(0n, 1n), curve, 'r = 0');
    rejects(encodeEcdsaSignature(1n, 0n), curve, 's = 0');
    rejects(encodeEcdsaSignature(n, 1n), curve, 'r = n');
    rejects(encodeEcdsaSignature(1n, n + 1n), curve, 's = n + 1');
    rejects(encodeEcdsaSignature(1n << BigInt(8 * (curve === 'P-256' ? 32 : 48)), 1n), curve, 'r one byte too long');
  });
}

test('structural faults are BAD_SIGNATURE for both entry points', () => {
  const good = encodeEcdsaSignature(5n, 7n); // 30 06 02 01 05 02 01 07 → too short on purpose below
  rejects(good.subarray(0, 7), 'P-256', 'truncated');
  rejects(Uint8Array.of(0x30, 0x07, 0x02, 0x02, 0x00, 0x05, 0x02, 0x01, 0x07), 'P-256', 'non-minimal r');
  rejects(Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x07), 'P-256', 'negative r');
  rejects(Uint8Array.of(0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0x00), 'P-256', 'trailing byte');
  checkEcdsaSignature(Uint8Array.of(0x30, 0x07, 0x02, 0x02, 0x00, 0x85, 0x02, 0x01, 0x07), 'P-256'); // padded positive r
});

test.run();
