/**
 * The Bitcoin networks an invoice can be for, with the currency prefix BOLT 11 puts after `ln`
 * and the on-chain address parameters its fallback addresses are written with. Names follow the
 * chain names used elsewhere in boltkit (`bitcoin` is mainnet).
 *
 * See BOLT 11, "Human-Readable Part", and BIP 173 / BIP 350 / base58check for the addresses.
 */

export const Network = {
  bitcoin: 'bitcoin',
  testnet: 'testnet',
  signet: 'signet',
  regtest: 'regtest',
} as const;
export type Network = (typeof Network)[keyof typeof Network];

interface NetworkParams {
  /** What follows `ln` in the human-readable part. */
  readonly currencyPrefix: string;
  /** The human-readable part of segwit addresses. */
  readonly segwitHrp: string;
  /** base58check version bytes. */
  readonly p2pkhVersion: number;
  readonly p2shVersion: number;
}

const PARAMS: Readonly<Record<Network, NetworkParams>> = {
  bitcoin: { currencyPrefix: 'bc', segwitHrp: 'bc', p2pkhVersion: 0x00, p2shVersion: 0x05 },
  testnet: { currencyPrefix: 'tb', segwitHrp: 'tb', p2pkhVersion: 0x6f, p2shVersion: 0xc4 },
  signet: { currencyPrefix: 'tbs', segwitHrp: 'tb', p2pkhVersion: 0x6f, p2shVersion: 0xc4 },
  regtest: { currencyPrefix: 'bcrt', segwitHrp: 'bcrt', p2pkhVersion: 0x6f, p2shVersion: 0xc4 },
};

/** The parameters of `network`; `undefined` for a name that is not a `Network`. */
export function networkParams(network: string): NetworkParams | undefined {
  return Object.hasOwn(PARAMS, network) ? PARAMS[network as Network] : undefined;
}

/** The network whose currency prefix is `prefix` (`bc`, `tb`, `tbs`, `bcrt`), if any. */
export function networkOfCurrencyPrefix(prefix: string): Network | undefined {
  for (const [network, p] of Object.entries(PARAMS)) {
    if (p.currencyPrefix === prefix) return network as Network;
  }
  return undefined;
}
