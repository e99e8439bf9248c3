/**
 * The channel part of the demo: Alice opens a channel to Bob and Bob one to Carol, funded from
 * the embedded chain's wallet and confirmed by six blocks; both sides list them; at the end
 * each is closed cooperatively (BOLT 2 `shutdown` and `closing_signed`) and the closing
 * transactions are mined.
 */
import type { DemoChain } from './embedded-chain.js';
import type { DemoNode } from './node.js';
import { printChannel, say, until } from './print.js';

/** The two channels of the line Alice – Bob – Carol. */
export interface DemoChannels {
  readonly aliceBob: string;
  readonly bobCarol: string;
}

/** `from` opens a channel to `to`; resolves with its id once the funding is broadcast. */
async function open(
  chain: DemoChain,
  from: DemoNode,
  to: DemoNode,
  valueSat: bigint,
  pushMsat: bigint,
  userChannelId: bigint,
): Promise<string> {
  const since = from.events.length;
  const temporaryId = from.channels.createChannel(to.nodeId, valueSat, pushMsat, userChannelId);
  const push = pushMsat === 0n ? '' : `, pushing ${(pushMsat / 1000n).toLocaleString('en-US')} sat`;
  say(
    from.name,
    `createChannel: ${valueSat.toLocaleString('en-US')} sat to ${to.name}${push} (temporary id ${temporaryId.slice(0, 16)}…)`,
  );
  const { channelId, fundingTxo } = await from.waitForEvent(
    'ChannelPending',
    since,
    (e) => e.formerTemporaryChannelId === temporaryId,
  );
  await until(() => chain.inMempool(fundingTxo.txid));
  say(from.name, `funding signed by both sides; funding transaction ${fundingTxo.txid} broadcast`);
  return channelId;
}

function listed(node: DemoNode, channelId: string) {
  return node.channels.listChannels().find((c) => c.channelId === channelId);
}

export async function openChannels(
  chain: DemoChain,
  alice: DemoNode,
  bob: DemoNode,
  carol: DemoNode,
): Promise<DemoChannels> {
  console.log('\nTwo channels, Alice – Bob – Carol, on a small in-memory chain:');
  say(
    'Chain',
    `height ${chain.height}; the demo wallet holds ${chain.wallet.balanceSat().toLocaleString('en-US')} sat and funds both channels`,
  );
  const since = [alice, bob, carol].map((n) => n.events.length);
  const [aliceBob, bobCarol] = await Promise.all([
    open(chain, alice, bob, 500_000n, 100_000_000n, 1n),
    open(chain, bob, carol, 300_000n, 0n, 2n),
  ]);
  chain.mineBlocks(6);
  const funding = [aliceBob, bobCarol].map((id) => listed(alice, id) ?? listed(bob, id));
  const depths = funding.map((c) => chain.confirmations(c?.fundingTxo?.txid ?? ''));
  say(
    'Chain',
    `mined 6 blocks: the funding transactions have ${depths.join(' and ')} confirmations`,
  );
  await Promise.all([
    alice.waitForEvent('ChannelReady', since[0]!, (e) => e.channelId === aliceBob),
    bob.waitForEvent('ChannelReady', since[1]!, (e) => e.channelId === aliceBob),
    bob.waitForEvent('ChannelReady', since[1]!, (e) => e.channelId === bobCarol),
    carol.waitForEvent('ChannelReady', since[2]!, (e) => e.channelId === bobCarol),
  ]);
  await until(
    () =>
      alice.channels.listUsableChannels().length === 1 &&
      bob.channels.listUsableChannels().length === 2 &&
      carol.channels.listUsableChannels().length === 1,
  );
  say('Alice', 'ChannelReady: the channel to Bob is usable');
  say('Carol', 'ChannelReady: the channel from Bob is usable');
  printChannel('Alice', listed(alice, aliceBob));
  printChannel('Bob', listed(bob, aliceBob));
  printChannel('Bob', listed(bob, bobCarol));
  printChannel('Carol', listed(carol, bobCarol));
  return { aliceBob, bobCarol };
}

/** `closer` closes `channelId` with `peer`; resolves with the closing transaction's id. */
async function close(
  chain: DemoChain,
  closer: DemoNode,
  peer: DemoNode,
  channelId: string,
): Promise<string> {
  const before = new Set(chain.mempoolTxids());
  const since = [closer.events.length, peer.events.length];
  say(closer.name, `closeChannel with ${peer.name}: cooperative close (shutdown, closing_signed)`);
  closer.channels.closeChannel(channelId, peer.nodeId);
  const [closed] = await Promise.all([
    closer.waitForEvent('ChannelClosed', since[0]!, (e) => e.channelId === channelId),
    peer.waitForEvent('ChannelClosed', since[1]!, (e) => e.channelId === channelId),
  ]);
  say(closer.name, `ChannelClosed: ${closed.reason.type}`);
  let txid: string | undefined;
  await until(() => {
    txid = chain.mempoolTxids().find((t) => !before.has(t));
    return txid !== undefined;
  });
  if (txid === undefined) throw new Error('no closing transaction was broadcast');
  return txid;
}

export async function closeChannels(
  chain: DemoChain,
  alice: DemoNode,
  bob: DemoNode,
  carol: DemoNode,
  ids: DemoChannels,
): Promise<void> {
  console.log('\nClosing both channels cooperatively:');
  const closings = [
    await close(chain, alice, bob, ids.aliceBob),
    // Either side may close: here the one who did not open the channel.
    await close(chain, carol, bob, ids.bobCarol),
  ];
  chain.mineBlocks(1);
  for (const txid of closings) {
    say('Chain', `closing transaction ${txid} mined: ${chain.confirmations(txid)} confirmation`);
    for (const { scriptPubKey, valueSat } of chain.outputsOf(txid)) {
      say('Chain', `  pays ${valueSat.toLocaleString('en-US')} sat to script ${scriptPubKey}`);
    }
  }
}
