// BOLT 3 output scripts and the witness stacks that spend them.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ChannelType } from '../../src/tx/channel-type.js';
import { decodeScriptSignature, SighashType } from '../../src/tx/signature-encoding.js';
import { anchorWitnessScript } from '../../src/tx/scripts/anchor.js';
import { offeredHtlcWitnessScript, receivedHtlcWitnessScript } from '../../src/tx/scripts/htlc.js';
import { compileScript, Opcode, pushNumber, scriptNumBytes } from '../../src/tx/scripts/script.js';
import {
  isP2wshOf,
  p2wpkhScriptPubkey,
  p2wshScriptPubkey,
} from '../../src/tx/scripts/templates.js';
import { toLocalWitnessScript } from '../../src/tx/scripts/to-local.js';
import { toRemoteOutputScript } from '../../src/tx/scripts/to-remote.js';
import {
  anchorKeyWitness,
  anchorSweepWitness,
  fundingSpendWitness,
  htlcRevokedWitness,
  htlcSuccessTxWitness,
  htlcTimeoutTxWitness,
  offeredHtlcPreimageWitness,
  p2wpkhWitness,
  receivedHtlcTimeoutWitness,
  toLocalDelayedWitness,
  toLocalRevokedWitness,
  toRemoteAnchorsWitness,
} from '../../src/tx/scripts/witness.js';
import { appendixC, paymentHashOf } from './bolt03-fixtures.js';

const code = (c: string) => expect.objectContaining({ code: c });
const { common, tests } = appendixC();
const htlcKeys = {
  revocationPubkey: fromHex(common.local_revocation_pubkey),
  localHtlcPubkey: fromHex(common.local_htlcpubkey),
  remoteHtlcPubkey: fromHex(common.remote_htlcpubkey),
};
const sig = (n: number) => {
  const s = new Uint8Array(64);
  s[31] = n;
  s[63] = n;
  return s;
};
const EMPTY = new Uint8Array(0);

describe('script encoding', () => {
  it('pushes numbers minimally (CScriptNum, OP_n for 1..16)', () => {
    expect(pushNumber(0)).toBe(Opcode.OP_0);
    expect(pushNumber(1)).toBe(Opcode.OP_1);
    expect(pushNumber(16)).toBe(Opcode.OP_16);
    const hex = (n: number) => toHex(scriptNumBytes(n));
    expect(hex(17)).toBe('11');
    expect(hex(127)).toBe('7f');
    expect(hex(128)).toBe('8000');
    expect(hex(144)).toBe('9000');
    expect(hex(500)).toBe('f401');
    expect(hex(65535)).toBe('ffff00');
    expect(hex(0xffffffff)).toBe('ffffffff00');
    expect(() => scriptNumBytes(-1)).toThrow(code('APIMisuse'));
  });

  it('uses PUSHDATA1/2 for long pushes', () => {
    expect(toHex(compileScript([new Uint8Array(75)])).slice(0, 2)).toBe('4b');
    expect(toHex(compileScript([new Uint8Array(76)])).slice(0, 4)).toBe('4c4c');
    expect(toHex(compileScript([new Uint8Array(256)])).slice(0, 6)).toBe('4d0001');
  });
});

describe('BOLT 3 output scripts', () => {
  it('to_local matches the vector', () => {
    const expected = tests[1]!.outputs_info.find((o) => o.type === 'to_local')!.witness_script!;
    const script = toLocalWitnessScript(
      fromHex(common.local_revocation_pubkey),
      common.local_delay,
      fromHex(common.local_delayedpubkey),
    );
    expect(toHex(script)).toBe(expected);
    // A delay of 1..16 is pushed as OP_n.
    const short = toLocalWitnessScript(htlcKeys.revocationPubkey, 6, htlcKeys.localHtlcPubkey);
    expect(short[36]).toBe(Opcode.OP_1 + 5);
  });

  it('to_remote is P2WPKH without anchors and a CSV-1 P2WSH with them', () => {
    const key = fromHex(common.remote_payment_basepoint);
    const plain = toRemoteOutputScript(key, ChannelType.StaticRemoteKey);
    expect(plain.witnessScript).toBeUndefined();
    expect(plain.scriptPubkey).toEqual(p2wpkhScriptPubkey(key));
    expect(toHex(plain.scriptPubkey)).toBe('0014cc1b07838e387deacd0e5232e1e8b49f4c29e484');
    const anchored = toRemoteOutputScript(key, ChannelType.AnchorsZeroFeeHtlcTx);
    expect(toHex(anchored.witnessScript!)).toBe(`21${common.remote_payment_basepoint}ad51b2`);
    expect(isP2wshOf(anchored.scriptPubkey, anchored.witnessScript!)).toBe(true);
  });

  it('anchor script', () => {
    expect(toHex(anchorWitnessScript(fromHex(common.local_funding_pubkey)))).toBe(
      `21${common.local_funding_pubkey}ac736460b268`,
    );
  });

  it('HTLC scripts match the vectors, and anchors add 1 OP_CSV OP_DROP before the last ENDIF', () => {
    const t = tests[1]!;
    for (const info of t.outputs_info.filter((o) => o.type.startsWith('htlc'))) {
      const h = common.htlcs[info.htlc_index!]!;
      const hash = paymentHashOf(h.payment_preimage);
      const build = (type: ChannelType) =>
        info.type === 'htlc_offered'
          ? offeredHtlcWitnessScript(htlcKeys, hash, type)
          : receivedHtlcWitnessScript(htlcKeys, hash, h.expiry, type);
      const plain = toHex(build(ChannelType.StaticRemoteKey));
      expect(plain).toBe(info.witness_script);
      expect(toHex(build(ChannelType.AnchorsZeroFeeHtlcTx))).toBe(`${plain.slice(0, -2)}51b27568`);
    }
  });

  it('P2WSH commits to the SHA256 of the script', () => {
    const spk = p2wshScriptPubkey(fromHex(common.funding_witness_script));
    expect(toHex(spk)).toBe('0020c015c4a6be010e21657068fc2e6a9d02b27ebe4d490a25846f7237f104d1a3cd');
  });

  it('rejects malformed keys and hashes', () => {
    expect(() => anchorWitnessScript(new Uint8Array(32))).toThrow(code('CryptoError'));
    expect(() => anchorWitnessScript(new Uint8Array(33))).toThrow(code('CryptoError')); // prefix 00
    expect(() =>
      offeredHtlcWitnessScript(htlcKeys, new Uint8Array(31), ChannelType.StaticRemoteKey),
    ).toThrow(code('APIMisuse'));
    expect(() =>
      receivedHtlcWitnessScript(htlcKeys, new Uint8Array(32), 2 ** 32, ChannelType.StaticRemoteKey),
    ).toThrow(code('APIMisuse'));
    expect(() =>
      offeredHtlcWitnessScript(htlcKeys, new Uint8Array(32), 'legacy' as ChannelType),
    ).toThrow(code('APIMisuse'));
    expect(() =>
      toLocalWitnessScript(htlcKeys.revocationPubkey, 65536, htlcKeys.localHtlcPubkey),
    ).toThrow(code('APIMisuse'));
  });
});

describe('BOLT 3 witness stacks', () => {
  const script = Uint8Array.of(Opcode.OP_1);
  const sighashOf = (item: Uint8Array) => decodeScriptSignature(item).sighashType;

  it('funding spend: 0, then signatures in funding key order', () => {
    const local = fromHex(common.local_funding_pubkey); // 023d… sorts first
    const remote = fromHex(common.remote_funding_pubkey);
    const w = fundingSpendWitness({
      localFundingPubkey: local,
      localSignature: sig(1),
      remoteFundingPubkey: remote,
      remoteSignature: sig(2),
      witnessScript: script,
    });
    expect(w[0]).toEqual(EMPTY);
    expect(decodeScriptSignature(w[1]!).signature).toEqual(sig(1));
    expect(decodeScriptSignature(w[2]!).signature).toEqual(sig(2));
    const swapped = fundingSpendWitness({
      localFundingPubkey: remote,
      localSignature: sig(1),
      remoteFundingPubkey: local,
      remoteSignature: sig(2),
      witnessScript: script,
    });
    expect(decodeScriptSignature(swapped[1]!).signature).toEqual(sig(2));
    expect(w[3]).toBe(script);
  });

  it('to_local delayed and revoked, to_remote with anchors, P2WPKH', () => {
    const delayed = toLocalDelayedWitness(sig(1), script);
    expect(delayed.slice(1)).toEqual([EMPTY, script]);
    const revoked = toLocalRevokedWitness(sig(1), script);
    expect(revoked.slice(1)).toEqual([Uint8Array.of(1), script]);
    expect(toRemoteAnchorsWitness(sig(1), script)).toHaveLength(2);
    const key = fromHex(common.remote_payment_basepoint);
    expect(p2wpkhWitness(sig(1), key)[1]).toBe(key);
    expect(sighashOf(delayed[0]!)).toBe(SighashType.All);
  });

  it('HTLC transactions: 0 <remote> <local> <preimage or empty>, remote SINGLE|ACP with anchors', () => {
    const preimage = new Uint8Array(32).fill(5);
    for (const type of [ChannelType.StaticRemoteKey, ChannelType.AnchorsZeroFeeHtlcTx]) {
      const remoteSighash =
        type === ChannelType.StaticRemoteKey ? SighashType.All : SighashType.SingleAnyoneCanPay;
      const success = htlcSuccessTxWitness({
        remoteSignature: sig(1),
        localSignature: sig(2),
        paymentPreimage: preimage,
        witnessScript: script,
        channelType: type,
      });
      expect(success).toHaveLength(5);
      expect(success[0]).toEqual(EMPTY);
      expect(sighashOf(success[1]!)).toBe(remoteSighash);
      expect(sighashOf(success[2]!)).toBe(SighashType.All);
      expect(success[3]).toBe(preimage);
      const timeout = htlcTimeoutTxWitness({
        remoteSignature: sig(1),
        localSignature: sig(2),
        witnessScript: script,
        channelType: type,
      });
      expect(timeout[3]).toEqual(EMPTY);
      expect(sighashOf(timeout[1]!)).toBe(remoteSighash);
    }
  });

  it('claims by the countersignatory and anchor spends', () => {
    const revocationKey = htlcKeys.revocationPubkey;
    expect(htlcRevokedWitness(sig(1), revocationKey, script)[1]).toBe(revocationKey);
    const preimage = new Uint8Array(32).fill(9);
    expect(offeredHtlcPreimageWitness(sig(1), preimage, script)[1]).toBe(preimage);
    expect(receivedHtlcTimeoutWitness(sig(1), script)[1]).toEqual(EMPTY);
    expect(anchorKeyWitness(sig(1), script)).toHaveLength(2);
    expect(anchorSweepWitness(script)).toEqual([EMPTY, script]);
    expect(() => offeredHtlcPreimageWitness(sig(1), new Uint8Array(31), script)).toThrow(
      code('APIMisuse'),
    );
    expect(() => toLocalDelayedWitness(new Uint8Array(10), script)).toThrow(code('DecodeError'));
  });
});
