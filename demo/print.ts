/**
 * How the demo prints: one line per step, prefixed with who speaks, and short forms of node ids
 * and amounts so the output stays readable.
 */
import type { ChannelDetails, PeerDetails } from '../src/index.js';

/** The address a peer reported or we dialled, as `PeerDetails` carries it. */
type PeerAddress = PeerDetails['address'];

export function short(nodeId: string): string {
  return `${nodeId.slice(0, 8)}…${nodeId.slice(-4)}`;
}

export function say(who: string, line: string): void {
  console.log(`${who.padEnd(6)}| ${line}`);
}

/** Whole satoshis with thousands separators; a millisatoshi remainder is shown when there is one. */
export function sats(msat: bigint): string {
  const whole = (msat / 1000n).toLocaleString('en-US');
  const rest = msat % 1000n;
  return rest === 0n ? `${whole} sat` : `${whole}.${rest.toString().padStart(3, '0')} sat`;
}

export function describeAddress(a: PeerAddress): string {
  if (a === undefined) return 'not reported';
  if (a.type === 'ipv4') return `${a.addr.join('.')}:${a.port}`;
  if (a.type === 'dns') return `${a.hostname}:${a.port}`;
  return `${a.type} address, port ${'port' in a ? a.port : '?'}`;
}

/** A channel as `listChannels` shows it to one side. */
export function printChannel(name: string, c: ChannelDetails | undefined): void {
  if (c === undefined) throw new Error(`${name} does not list the channel`);
  say(name, `channel ${c.channelId}`);
  say(
    name,
    `  with ${short(c.counterpartyNodeId)}, ${c.isOutbound ? 'we opened it' : 'they opened it'}, type ${c.channelType}`,
  );
  say(
    name,
    `  funding ${c.fundingTxo?.txid ?? '?'}:${c.fundingTxo?.index ?? '?'}, ${c.confirmations ?? 0} confirmations`,
  );
  say(
    name,
    `  capacity ${c.channelValueSat.toLocaleString('en-US')} sat; our balance ${sats(c.balanceMsat)}`,
  );
  say(
    name,
    `  can send ${sats(c.outboundCapacityMsat)}, can receive ${sats(c.inboundCapacityMsat)}; usable: ${c.isUsable}`,
  );
}

/** Each peer of a node with its traffic counters (`listPeers`). */
export function printStats(name: string, peers: PeerDetails[]): void {
  for (const p of peers) {
    say(
      name,
      `peer ${short(p.nodeId)}, ${p.inbound ? 'inbound' : 'outbound'}, at ${describeAddress(p.address)}`,
    );
    say(
      name,
      `  bytes in/out: ${p.bytesIn}/${p.bytesOut}, messages in/out: ${p.messagesIn}/${p.messagesOut}`,
    );
    const rtt =
      p.lastPingRoundTripMs === undefined ? 'no ping answered yet' : `${p.lastPingRoundTripMs} ms`;
    say(name, `  last ping round trip: ${rtt}`);
  }
}

/** Waits for `predicate`, checking after each macrotask; the demo's global timeout bounds it. */
export async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}
