// BOLT 2 "The open_channel Message" and "The accept_channel Message", receiver requirements:
// every check, table-driven, each breaking one field of a genuine message and expecting the
// ChannelError action and check that names it.
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel-manager/channel/channel.js';
import type { ChannelConfig } from '../../src/channel-manager/channel/config.js';
import {
  ChannelCheck,
  ChannelErrorAction,
  type ChannelCheck as Check,
} from '../../src/channel-manager/channel/errors.js';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { chainHashOf } from '../../src/peer-manager/chain-hash.js';
import { Features } from '../../src/wire/features.js';
import type {
  AcceptChannelMessage,
  OpenChannelMessage,
} from '../../src/wire/messages/channel-establish.js';
import { ourInitFeatures } from '../../src/wire/our-features.js';
import { CHAIN_HASH, ChannelPair } from '../support/channel-pair.js';
import { expectChannelError } from './helpers.js';

/** A point that is not on the curve: x = 2^256 - 1 is above the field size. */
const NOT_A_POINT = Uint8Array.from([0x02, ...new Array<number>(32).fill(0xff)]);

interface OpenCase {
  readonly name: string;
  readonly change: { readonly [K in keyof OpenChannelMessage]?: OpenChannelMessage[K] | undefined };
  readonly check: Check;
  readonly configB?: Partial<ChannelConfig>;
  readonly fundingValueSat?: bigint;
  readonly features?: Features;
}

const openCases: readonly OpenCase[] = [
  {
    name: 'chain_hash of another chain',
    change: { chainHash: chainHashOf('bitcoin') },
    check: ChannelCheck.ChainHash,
  },
  {
    name: 'funding_satoshis of 2^24 without large channels',
    change: { fundingSatoshis: 1n << 24n },
    check: ChannelCheck.FundingTooLarge,
  },
  {
    name: 'funding_satoshis below the configured minimum',
    change: { fundingSatoshis: 999n },
    check: ChannelCheck.FundingTooSmall,
  },
  {
    name: 'push_msat above funding_satoshis * 1000',
    change: { pushMsat: 1_000_000_001n },
    check: ChannelCheck.PushAboveFunding,
  },
  {
    name: 'to_self_delay unreasonably large',
    change: { toSelfDelay: 2017 },
    check: ChannelCheck.ToSelfDelayTooLarge,
  },
  {
    name: 'max_accepted_htlcs above 483',
    change: { maxAcceptedHtlcs: 484 },
    check: ChannelCheck.MaxAcceptedHtlcsTooLarge,
  },
  {
    name: 'max_accepted_htlcs below the configured minimum',
    change: { maxAcceptedHtlcs: 0 },
    check: ChannelCheck.MaxAcceptedHtlcsTooSmall,
  },
  {
    name: 'feerate_per_kw below the estimator minimum',
    change: { feerateSatPerKw: 252 },
    check: ChannelCheck.FeerateTooLow,
  },
  {
    name: 'feerate_per_kw above the estimator maximum',
    change: { feerateSatPerKw: 50_001 },
    check: ChannelCheck.FeerateTooHigh,
  },
  {
    name: 'funding_pubkey not a point',
    change: { fundingPubkey: NOT_A_POINT },
    check: ChannelCheck.InvalidPoint,
  },
  {
    name: 'revocation_basepoint not a point',
    change: { revocationBasepoint: NOT_A_POINT },
    check: ChannelCheck.InvalidPoint,
  },
  {
    name: 'payment_basepoint not a point',
    change: { paymentBasepoint: NOT_A_POINT },
    check: ChannelCheck.InvalidPoint,
  },
  {
    name: 'delayed_payment_basepoint not a point',
    change: { delayedPaymentBasepoint: NOT_A_POINT },
    check: ChannelCheck.InvalidPoint,
  },
  {
    name: 'htlc_basepoint not a point',
    change: { htlcBasepoint: NOT_A_POINT },
    check: ChannelCheck.InvalidPoint,
  },
  {
    name: 'first_per_commitment_point not a point',
    change: { firstPerCommitmentPoint: NOT_A_POINT },
    check: ChannelCheck.InvalidPoint,
  },
  {
    name: 'dust_limit_satoshis below 354',
    change: { dustLimitSatoshis: 353n },
    check: ChannelCheck.DustLimitTooSmall,
  },
  {
    name: 'dust_limit_satoshis above the configured maximum',
    change: { dustLimitSatoshis: 547n },
    check: ChannelCheck.DustLimitTooLarge,
  },
  {
    name: 'dust_limit_satoshis above channel_reserve_satoshis',
    change: { dustLimitSatoshis: 546n, channelReserveSatoshis: 545n },
    check: ChannelCheck.DustLimitAboveReserve,
  },
  {
    name: 'channel_reserve_satoshis too large',
    change: { channelReserveSatoshis: 200_001n },
    check: ChannelCheck.ReserveTooLarge,
  },
  {
    name: 'htlc_minimum_msat not below the channel value',
    change: { htlcMinimumMsat: 1_000_000_000n },
    check: ChannelCheck.HtlcMinimumTooLarge,
  },
  {
    name: 'max_htlc_value_in_flight_msat too small',
    change: { maxHtlcValueInFlightMsat: 999n },
    check: ChannelCheck.MaxHtlcValueInFlightTooSmall,
    configB: { minTheirMaxHtlcValueInFlightMsat: 1000n },
  },
  {
    name: 'the funder cannot pay the first commitment fee',
    change: { pushMsat: 999_999_000n },
    check: ChannelCheck.FunderCannotPayFee,
  },
  {
    name: 'both first balances at or below the reserves',
    change: { channelReserveSatoshis: 400n },
    fundingValueSat: 2500n,
    check: ChannelCheck.InitialBalancesBelowReserve,
  },
  {
    name: 'channel_reserve_satoshis below our dust limit',
    change: { channelReserveSatoshis: 400n },
    check: ChannelCheck.ReserveBelowOurDustLimit,
    configB: { ourDustLimitSat: 500n },
  },
  {
    name: 'no channel_type',
    change: { channelType: undefined },
    check: ChannelCheck.ChannelTypeMissing,
  },
  {
    name: 'an unsupported channel_type',
    change: { channelType: Features.fromBits([12, 22, 46]).toBytes() },
    check: ChannelCheck.ChannelTypeUnsupported,
  },
  {
    name: 'an invalid upfront_shutdown_script',
    change: { upfrontShutdownScript: Uint8Array.of(0x6a, 0x04, 1, 2, 3, 4) },
    check: ChannelCheck.UpfrontShutdownScriptInvalid,
  },
  {
    name: 'a taproot upfront_shutdown_script without option_shutdown_anysegwit',
    change: {
      upfrontShutdownScript: Uint8Array.from([0x51, 0x20, ...new Array<number>(32).fill(7)]),
    },
    features: ourInitFeatures.without('option_shutdown_anysegwit'),
    check: ChannelCheck.UpfrontShutdownScriptInvalid,
  },
];

function genuineOpen(fundingValueSat?: bigint): OpenChannelMessage {
  const pair = new ChannelPair(fundingValueSat === undefined ? {} : { fundingValueSat });
  pair.open();
  return pair.a.outbox[0] as OpenChannelMessage;
}

describe('BOLT 2 open_channel receiver checks', () => {
  const base = genuineOpen();
  it('accepts the genuine open_channel', () => {
    const pair = new ChannelPair();
    const { output } = Channel.acceptInbound(
      base,
      { chainHash: CHAIN_HASH, userChannelId: 2n, theirFeatures: ourInitFeatures },
      pair.b.options,
    );
    expect(output.messages.map((m) => m.type)).toEqual(['accept_channel']);
  });

  for (const c of openCases) {
    it(`fails the channel for ${c.name}`, () => {
      const pair = new ChannelPair({ configB: c.configB ?? {} });
      const open = { ...(c.fundingValueSat === undefined ? base : genuineOpen(c.fundingValueSat)) };
      Object.assign(open, c.change);
      if ('channelType' in c.change && c.change.channelType === undefined) delete open.channelType;
      expectChannelError(
        () =>
          Channel.acceptInbound(
            open,
            {
              chainHash: CHAIN_HASH,
              userChannelId: 2n,
              theirFeatures: c.features ?? ourInitFeatures,
            },
            pair.b.options,
          ),
        ChannelErrorAction.Close,
        c.check,
      );
    });
  }

  it('accepts 2^24 sat with option_support_large_channel configured', () => {
    const pair = new ChannelPair({ configB: { supportLargeChannels: true } });
    const open = { ...base, fundingSatoshis: 1n << 24n };
    const { channel } = Channel.acceptInbound(
      open,
      { chainHash: CHAIN_HASH, userChannelId: 2n, theirFeatures: ourInitFeatures },
      pair.b.options,
    );
    expect(channel.phase).toBe(ChannelPhase.TheirInitSent);
  });

  it('accepts a taproot upfront_shutdown_script with option_shutdown_anysegwit', () => {
    const pair = new ChannelPair();
    const open = {
      ...base,
      upfrontShutdownScript: Uint8Array.from([0x51, 0x20, ...new Array<number>(32).fill(7)]),
    };
    const { channel } = Channel.acceptInbound(
      open,
      { chainHash: CHAIN_HASH, userChannelId: 2n, theirFeatures: ourInitFeatures },
      pair.b.options,
    );
    expect(channel.state.counterpartyParams?.upfrontShutdownScript).toEqual(
      open.upfrontShutdownScript,
    );
  });
});

interface AcceptCase {
  readonly name: string;
  readonly change: {
    readonly [K in keyof AcceptChannelMessage]?: AcceptChannelMessage[K] | undefined;
  };
  readonly check: Check;
}

const acceptCases: readonly AcceptCase[] = [
  {
    name: 'another temporary_channel_id',
    change: { temporaryChannelId: new Uint8Array(32).fill(9) },
    check: ChannelCheck.TemporaryChannelIdMismatch,
  },
  {
    name: 'minimum_depth unreasonably large',
    change: { minimumDepth: 145 },
    check: ChannelCheck.MinimumDepthTooLarge,
  },
  {
    name: 'channel_reserve_satoshis below our dust_limit_satoshis',
    change: { channelReserveSatoshis: 353n },
    check: ChannelCheck.ReserveBelowOurDustLimit,
  },
  {
    name: 'dust_limit_satoshis above our channel_reserve_satoshis',
    change: { dustLimitSatoshis: 10_001n, channelReserveSatoshis: 20_000n },
    check: ChannelCheck.OurReserveBelowTheirDustLimit,
  },
  {
    name: 'to_self_delay unreasonably large',
    change: { toSelfDelay: 5000 },
    check: ChannelCheck.ToSelfDelayTooLarge,
  },
  {
    name: 'max_accepted_htlcs above 483',
    change: { maxAcceptedHtlcs: 1000 },
    check: ChannelCheck.MaxAcceptedHtlcsTooLarge,
  },
  {
    name: 'htlc_basepoint not a point',
    change: { htlcBasepoint: NOT_A_POINT },
    check: ChannelCheck.InvalidPoint,
  },
  {
    name: 'first_per_commitment_point not a point',
    change: { firstPerCommitmentPoint: NOT_A_POINT },
    check: ChannelCheck.InvalidPoint,
  },
  {
    name: 'dust_limit_satoshis below 354',
    change: { dustLimitSatoshis: 300n },
    check: ChannelCheck.DustLimitTooSmall,
  },
  {
    name: 'dust_limit_satoshis above channel_reserve_satoshis',
    change: { dustLimitSatoshis: 500n, channelReserveSatoshis: 400n },
    check: ChannelCheck.DustLimitAboveReserve,
  },
  {
    name: 'channel_reserve_satoshis too large',
    change: { channelReserveSatoshis: 300_000n },
    check: ChannelCheck.ReserveTooLarge,
  },
  {
    name: 'no channel_type',
    change: { channelType: undefined },
    check: ChannelCheck.ChannelTypeMissing,
  },
  {
    name: 'a channel_type other than proposed',
    change: { channelType: Features.fromBits([12]).toBytes() },
    check: ChannelCheck.ChannelTypeMismatch,
  },
];

describe('BOLT 2 accept_channel receiver checks', () => {
  const pair = new ChannelPair();
  pair.open();
  pair.accept();
  const base = pair.b.outbox[0] as AcceptChannelMessage;

  for (const c of acceptCases) {
    it(`fails the channel for ${c.name}`, () => {
      const accept: { -readonly [K in keyof AcceptChannelMessage]: AcceptChannelMessage[K] } = {
        ...base,
        ...(c.change as Partial<AcceptChannelMessage>),
      };
      if ('channelType' in c.change && c.change.channelType === undefined)
        delete accept.channelType;
      expectChannelError(
        () => pair.a.channel.handleMessage(accept),
        ChannelErrorAction.Close,
        c.check,
      );
      expect(pair.a.channel.phase).toBe(ChannelPhase.OurInitSent);
    });
  }

  it('accepts the genuine accept_channel', () => {
    const out = pair.a.channel.handleMessage(base);
    expect(out.events.map((e) => e.type)).toEqual(['FundingGenerationReady']);
    expect(pair.a.channel.phase).toBe(ChannelPhase.FundingNegotiated);
  });
});
