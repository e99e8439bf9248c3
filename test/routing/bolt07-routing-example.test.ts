// The BOLT 7 routing example (07-routing-gossip.md, Recommendations for Routing > Routing
// Example): four nodes in a square, a 4,999,999 msat payment to C. For each listed route the
// pathfinder must produce the same first-HTLC amount and the same CLTV deltas, less the 42-block
// shadow route the example adds (boltkit's pathfinder adds none).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SimpleRouter } from '../../src/routing/pathfinder.js';
import { pathTotalCltvDelta, pathTotalMsat, type GraphEdge } from '../../src/routing/route.js';
import { edge, firstHop, node, routeParams } from './helpers.js';

interface RouteVector {
  route: string;
  fee_at_B_msat?: number;
  first_hop_update_add_htlc: {
    amount_msat: number;
    cltv_expiry_deltas_above_current_height: number[];
    onion_amt_to_forward: number;
    onion_outgoing_cltv_deltas_above_current_height: number[];
  };
}
interface Vector {
  topology_channels: string[];
  recipient_min_final_cltv_expiry_delta: number;
  shadow_route_extra_cltv: number;
  channel_updates: {
    direction: string;
    cltv_expiry_delta: number;
    fee_base_msat: number;
    fee_proportional_millionths: number;
  }[];
  payment_amount_msat: number;
  routes: RouteVector[];
}

const file = join(
  dirname(fileURLToPath(import.meta.url)),
  '../vectors/bolt07-routing-example.json',
);
const vectors = (JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] }).vectors;
const ids: Record<string, string> = { A: node(1), B: node(2), C: node(3), D: node(4) };
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('BOLT 7 routing example', () => {
  it('has one topology with three routes', () => {
    expect(vectors.length).toBe(1);
    expect(vectors[0]!.routes.length).toBe(3);
  });

  const v = vectors[0]!;
  // The example names channels by their ends; number them in the listed order.
  const scids = new Map<string, bigint>();
  v.topology_channels.forEach((c, i) => {
    const [x, y] = c.split('-') as [string, string];
    scids.set(`${x}${y}`, BigInt(i + 1));
    scids.set(`${y}${x}`, BigInt(i + 1));
  });
  const graph: GraphEdge[] = v.channel_updates.map((u) => {
    const [src, dst] = u.direction.split('->') as [string, string];
    return edge(ids[src]!, ids[dst]!, scids.get(`${src}${dst}`)!, {
      feeBaseMsat: u.fee_base_msat,
      feeProportionalMillionths: u.fee_proportional_millionths,
      cltvExpiryDelta: u.cltv_expiry_delta,
    });
  });

  for (const r of v.routes) {
    it(`route ${r.route}`, () => {
      const names = r.route.split('->');
      const payer = names[0]!;
      const payee = names[names.length - 1]!;
      // The payer's channels are its first hops; those off the listed route count as failed,
      // so the pathfinder is asked for exactly that route.
      const mine = v.topology_channels.filter((c) => c.split('-').includes(payer));
      const hops = mine.map((c) => {
        const peer = c.split('-').find((n) => n !== payer)!;
        return firstHop(ids[peer]!, scids.get(`${payer}${peer}`)!);
      });
      const onRoute = scids.get(`${payer}${names[1]!}`)!;
      const failed = hops.map((h) => h.shortChannelId).filter((s) => s !== onRoute);
      const params = routeParams(ids[payee]!, BigInt(v.payment_amount_msat), {
        finalCltvExpiryDelta: v.recipient_min_final_cltv_expiry_delta,
        previouslyFailedChannels: failed,
      });
      const route = new SimpleRouter({ graph }).findRoute(ids[payer]!, params, hops);
      const path = route.paths[0]!;
      const htlc = r.first_hop_update_add_htlc;

      expect(route.paths.length).toBe(1);
      expect(path.hops.map((h) => h.pubkey)).toEqual(names.slice(1).map((n) => ids[n]));
      expect(pathTotalMsat(path)).toBe(BigInt(htlc.amount_msat));
      expect(pathTotalCltvDelta(path) + v.shadow_route_extra_cltv).toBe(
        sum(htlc.cltv_expiry_deltas_above_current_height),
      );
      const last = path.hops[path.hops.length - 1]!;
      expect(last.feeMsat).toBe(BigInt(htlc.onion_amt_to_forward));
      expect(last.cltvExpiryDelta + v.shadow_route_extra_cltv).toBe(
        sum(htlc.onion_outgoing_cltv_deltas_above_current_height),
      );
      if (r.fee_at_B_msat !== undefined)
        expect(path.hops[0]!.feeMsat).toBe(BigInt(r.fee_at_B_msat));
    });
  }

  it('picks A->B->C, the cheaper route, when A may use both channels', () => {
    const params = routeParams(ids.C!, BigInt(v.payment_amount_msat));
    const hops = [firstHop(ids.B!, scids.get('AB')!), firstHop(ids.D!, scids.get('AD')!)];
    const route = new SimpleRouter({ graph }).findRoute(ids.A!, params, hops);
    expect(route.paths[0]!.hops.map((h) => h.pubkey)).toEqual([ids.B, ids.C]);
    expect(pathTotalMsat(route.paths[0]!)).toBe(5_010_198n);
  });
});
