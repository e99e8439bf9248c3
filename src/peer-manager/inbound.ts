/**
 * What the `PeerManager` does with received bytes: run them through the BOLT 8 transport, then
 * act on each message in order — `init` first (BOLT 1, "The init Message"), then control
 * messages (`ping`, `pong`, `error`, `warning`), then routing to the channel, routing and custom
 * handlers under the "it's OK to be odd" rule. Nothing a peer sends makes this throw: every
 * fault ends in `drop` with a reason.
 */
import { toHex } from '../util/bytes.js';
import { DecodeError } from '../util/errors.js';
import {
  decodeMessage,
  isUnknownMessage,
  messageTypeOf,
  type Message,
  type UnknownMessage,
} from '../wire/message.js';
import {
  PING_NO_REPLY_THRESHOLD,
  type ErrorMessage,
  type PingMessage,
  type PongMessage,
  type WarningMessage,
} from '../wire/messages/setup.js';
import type { Connection } from './connection.js';
import { judgeInit } from './init-negotiation.js';
import { routeOf } from './message-route.js';
import { DisconnectReason } from './options.js';
import type { PeerTable } from './peer-table.js';

/** `data` of an error or warning as text when it is printable ASCII (BOLT 1), else as hex. */
function printable(data: Uint8Array): string {
  const shown = data.subarray(0, 500);
  for (const b of shown) if (b < 32 || b > 126) return `hex:${toHex(shown)}`;
  return JSON.stringify(String.fromCharCode(...shown));
}

/** BOLT 1: an all-zero `channel_id` refers to every channel with the sender. */
function isAllChannels(channelId: Uint8Array): boolean {
  return channelId.length === 32 && channelId.every((b) => b === 0);
}

export class InboundProcessor {
  private readonly peers: PeerTable;

  constructor(peers: PeerTable) {
    this.peers = peers;
  }

  /** Feeds `bytes` to the connection; may drop it. */
  receive(conn: Connection, bytes: Uint8Array): void {
    const peers = this.peers;
    conn.bytesIn += bytes.length;
    const wasReady = conn.transport.isReady;
    let out: { send: Uint8Array[]; messages: Uint8Array[] };
    try {
      out = conn.transport.receive(bytes);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      const what = wasReady ? 'bad encrypted frame' : 'handshake failed';
      peers.drop(conn, DisconnectReason.TransportFailed, `${what}: ${detail}`);
      return;
    }
    // Act two or act three goes out before anything encrypted (our init).
    for (const act of out.send) conn.queue.push(act);
    if (!wasReady && conn.transport.isReady) {
      peers.handshakeCompleted(conn);
      if (conn.closed) return;
    }
    for (const m of out.messages) {
      this.onMessage(conn, m);
      if (conn.closed) return;
    }
    if (conn.transport.bufferedBytes > peers.config.limits.maxInboundBufferBytes) {
      peers.drop(
        conn,
        DisconnectReason.InboundBufferFull,
        `${conn.transport.bufferedBytes} bytes buffered, limit ${peers.config.limits.maxInboundBufferBytes}`,
      );
    }
  }

  private onMessage(conn: Connection, bytes: Uint8Array): void {
    const peers = this.peers;
    conn.messagesIn++;
    let message: Message | UnknownMessage;
    try {
      message = decodeMessage(bytes);
    } catch (e) {
      // A DecodeError is the peer's fault; anything else would be a decoder bug, but the bytes
      // came from the peer all the same and must not escape readEvent.
      if (!(e instanceof DecodeError))
        peers.log('error', `decoder failed: ${String(e)}`, conn.nodeId);
      const detail = e instanceof Error ? e.message : String(e);
      peers.drop(conn, DisconnectReason.ProtocolViolation, `malformed message: ${detail}`, {
        send: 'warning',
      });
      return;
    }
    if (conn.state === 'awaitingInit') {
      this.onFirstMessage(conn, message);
      return;
    }
    if (isUnknownMessage(message)) {
      this.route(conn, message);
      return;
    }
    switch (message.type) {
      case 'init':
        peers.drop(conn, DisconnectReason.ProtocolViolation, 'init received twice', {
          send: 'warning',
        });
        return;
      case 'ping':
        this.onPing(conn, message);
        return;
      case 'pong':
        this.onPong(conn, message);
        return;
      case 'warning':
        peers.log('warn', `peer sent a warning: ${printable(message.data)}`, conn.nodeId);
        return;
      case 'error':
        this.onError(conn, message);
        return;
      default:
        // Messages of the other BOLTs, once the wire layer decodes them.
        this.route(conn, message);
    }
  }

  /** BOLT 1: `init` MUST be the first message; anything else ends the connection. */
  private onFirstMessage(conn: Connection, message: Message | UnknownMessage): void {
    const peers = this.peers;
    if (isUnknownMessage(message) || message.type !== 'init') {
      if (!isUnknownMessage(message) && (message.type === 'error' || message.type === 'warning')) {
        peers.log(
          'warn',
          `peer sent ${message.type} before init: ${printable(message.data)}`,
          conn.nodeId,
        );
      }
      peers.drop(
        conn,
        DisconnectReason.ProtocolViolation,
        `first message was type ${messageTypeOf(message)}, not init`,
      );
      return;
    }
    const verdict = judgeInit(peers.config.initFeatures, peers.config.chainHash, message);
    // Their init is recorded first so the drop below may still send them a warning.
    conn.theirInit = message;
    if (!verdict.ok) {
      const reason =
        verdict.kind === 'incompatibleChain'
          ? DisconnectReason.IncompatibleChain
          : DisconnectReason.IncompatibleFeatures;
      peers.drop(conn, reason, verdict.message, { send: 'warning' });
      return;
    }
    peers.initAccepted(conn, message, verdict);
  }

  /** BOLT 1: answer with `num_pong_bytes` zero bytes, unless it is 65532 or more. */
  private onPing(conn: Connection, ping: PingMessage): void {
    if (ping.numPongBytes >= PING_NO_REPLY_THRESHOLD) return;
    this.peers.enqueue(conn, { type: 'pong', ignored: new Uint8Array(ping.numPongBytes) });
  }

  /** A pong answers our ping only with the length we asked for; any other pong is ignored. */
  private onPong(conn: Connection, pong: PongMessage): void {
    const ping = conn.ping;
    if (ping === undefined || pong.ignored.length !== ping.numPongBytes) {
      this.peers.log(
        'debug',
        `ignored an unsolicited pong of ${pong.ignored.length} bytes`,
        conn.nodeId,
      );
      return;
    }
    conn.ping = undefined;
    const now = this.peers.config.now?.();
    if (now !== undefined && ping.sentAtMs !== undefined) {
      conn.lastPingRoundTripMs = now - ping.sentAtMs;
    }
  }

  /**
   * BOLT 1: an `error` fails the channel it names, or all channels when the id is all zero. The
   * channel handler fails channels; an all-zero error also ends the connection, as LDK does.
   */
  private onError(conn: Connection, error: ErrorMessage | WarningMessage): void {
    const peers = this.peers;
    const nodeId = conn.nodeId!;
    peers.log('warn', `peer sent an error: ${printable(error.data)}`, nodeId);
    peers.callHandler(conn, () => {
      peers.config.channelHandler.handleChannelMessage(nodeId, error);
    });
    if (!conn.closed && isAllChannels(error.channelId)) {
      peers.drop(conn, DisconnectReason.ReceivedError, `peer error: ${printable(error.data)}`);
    }
  }

  private route(conn: Connection, message: Message | UnknownMessage): void {
    const peers = this.peers;
    const nodeId = conn.nodeId!;
    const type = messageTypeOf(message);
    switch (routeOf(type)) {
      case 'channel':
        peers.callHandler(conn, () => {
          peers.config.channelHandler.handleChannelMessage(nodeId, message);
        });
        return;
      case 'routing':
        peers.callHandler(conn, () => {
          peers.config.routingHandler.handleRoutingMessage(nodeId, message);
        });
        if (!isUnknownMessage(message) && message.type === 'channel_update') {
          const channels = peers.config.channelHandler;
          if (channels.handleChannelUpdate !== undefined) {
            peers.callHandler(conn, () => {
              channels.handleChannelUpdate?.(nodeId, message);
            });
          }
        }
        return;
      case 'custom': {
        const handler = peers.config.customHandler;
        if (handler === undefined || !isUnknownMessage(message)) {
          peers.log('trace', `ignored odd message type ${type}`, nodeId);
          return;
        }
        peers.callHandler(conn, () => {
          handler.handleCustomMessage(nodeId, message.type, message.payload);
        });
        return;
      }
      case 'ignore':
        peers.log('trace', `ignored message type ${type} (not handled)`, nodeId);
        return;
      case 'setup':
      case 'unhandledEven':
        peers.drop(conn, DisconnectReason.UnknownEvenMessage, `Unknown even message type ${type}`, {
          send: 'warning',
        });
        return;
    }
  }
}
