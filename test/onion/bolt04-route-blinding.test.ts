// BOLT 4 route blinding: bolt04/route-blinding-test.json, two blinded paths created by Bob and
// Eve and joined with next_path_key_override, then unblinded at each node.
import { describe, expect, it } from 'vitest';
import { decodeEncryptedData, encodeEncryptedData } from '../../src/onion/encrypted-data.js';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { deriveOnionKey } from '../../src/onion/onion-keys.js';
import {
  computeNextPathKey,
  createBlindedPath,
  unblindHop,
} from '../../src/onion/route-blinding.js';
import { fromJson, type JsonTlvs } from './blinding-json.js';
import { crypto, ecdhOf, hex, loadVector, toHex } from './helpers.js';

interface RouteBlindingTest {
  generate: {
    hops: {
      alias: string;
      session_key?: string;
      node_id: string;
      tlvs: JsonTlvs;
      encoded_tlvs: string;
      path_privkey: string;
      path_key: string;
      shared_secret: string;
      rho: string;
      encrypted_data: string;
      blinded_node_id: string;
    }[];
  };
  route: {
    first_node_id: string;
    first_path_key: string;
    hops: { blinded_node_id: string; encrypted_data: string }[];
  };
  unblind: {
    hops: {
      alias: string;
      node_privkey: string;
      path_key: string;
      blinded_privkey: string;
      decrypted_data: string;
      next_path_key: string;
      next_path_key_override?: string;
    }[];
  };
}

const rb = loadVector('bolt04/route-blinding-test.json') as RouteBlindingTest;

describe('BOLT 4 route-blinding-test.json', () => {
  it('encodes every encrypted_data_tlv and decodes it back', () => {
    for (const h of rb.generate.hops) {
      const { data, unknown } = fromJson(h.tlvs);
      expect(toHex(encodeEncryptedData(data, unknown))).toBe(h.encoded_tlvs);
      expect(decodeEncryptedData(hex(h.encoded_tlvs))).toEqual({ data, unknownOddTlvs: unknown });
    }
  });

  it('derives each path key, shared secret and rho of the trace', () => {
    for (const h of rb.generate.hops) {
      const e = hex(h.path_privkey);
      expect(toHex(crypto.getPublicKey(e))).toBe(h.path_key);
      const ss = crypto.ecdh(e, hex(h.node_id));
      expect(toHex(ss)).toBe(h.shared_secret);
      expect(toHex(deriveOnionKey(crypto, 'rho', ss))).toBe(h.rho);
    }
  });

  it('creates the two paths and joins them into the vector route', () => {
    const [bob, carol, dave, eve] = rb.generate.hops;
    const first = createBlindedPath(hex(bob!.session_key!), [
      { nodeId: hex(bob!.node_id), encryptedData: hex(bob!.encoded_tlvs) },
      { nodeId: hex(carol!.node_id), encryptedData: hex(carol!.encoded_tlvs) },
    ]);
    const second = createBlindedPath(hex(dave!.session_key!), [
      { nodeId: hex(dave!.node_id), encryptedData: hex(dave!.encoded_tlvs) },
      { nodeId: hex(eve!.node_id), encryptedData: hex(eve!.encoded_tlvs) },
    ]);
    // Carol's record overrides her next path key with the second path's first one.
    expect(toHex(second.firstPathKey)).toBe(carol!.tlvs.next_path_key_override);
    expect(toHex(first.firstNodeId)).toBe(rb.route.first_node_id);
    expect(toHex(first.firstPathKey)).toBe(rb.route.first_path_key);
    expect(
      [...first.hops, ...second.hops].map((h) => ({
        blinded_node_id: toHex(h.blindedNodeId),
        encrypted_data: toHex(h.encryptedRecipientData),
      })),
    ).toEqual(rb.route.hops);
  });

  it('unblinds the route at every node, with only an ECDH function', () => {
    rb.unblind.hops.forEach((h, i) => {
      const u = unblindHop(hex(h.path_key), hex(rb.route.hops[i]!.encrypted_data), {
        nodeEcdh: ecdhOf(hex(h.node_privkey)),
      });
      expect(toHex(encodeEncryptedData(u.data, u.unknownOddTlvs))).toBe(h.decrypted_data);
      // Without an override the next path key is the derived one.
      expect(toHex(computeNextPathKey(hex(h.path_key), u.pathSharedSecret))).toBe(h.next_path_key);
      expect(toHex(u.nextPathKey)).toBe(h.next_path_key_override ?? h.next_path_key);
      // The blinded secret key is the node key times the blinding tweak.
      const tweak = deriveOnionKey(crypto, 'blinded_node_id', u.pathSharedSecret);
      expect(toHex(crypto.privateMultiply(hex(h.node_privkey), tweak))).toBe(h.blinded_privkey);
      expect(toHex(crypto.getPublicKey(hex(h.blinded_privkey)))).toBe(
        rb.route.hops[i]!.blinded_node_id,
      );
    });
  });

  it('a record that does not decrypt is invalid_onion_blinding', () => {
    const h = rb.unblind.hops[0]!;
    const data = hex(rb.route.hops[0]!.encrypted_data);
    data[3]! ^= 1;
    expect(() =>
      unblindHop(hex(h.path_key), data, { nodeEcdh: ecdhOf(hex(h.node_privkey)) }),
    ).toThrow(
      expect.objectContaining({
        code: 'OnionError',
        failureCode: FailureCode.invalidOnionBlinding,
      }),
    );
  });
});
