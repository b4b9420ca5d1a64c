// What one group member buys at a bar: one product from that stand's menu, one or two of it.
// Small on purpose: the group's wallet pays for several members' rounds at once.
import type { Cents } from '../../core/money.js';
import type { TerminalFixture } from '../fixtures.js';
import { pick, randomInt } from '../random.js';
import type { Runtime } from '../runtime.js';
import type { OrderLine } from '../targets/index.js';
import { standMenu } from '../menu.js';

export interface MemberBasket { items: OrderLine[]; totalCents: Cents }

const MAX_QUANTITY = 2;

/** The basket and its total at fixture prices (what the target must charge). */
export function memberBasket(rt: Runtime, terminal: TerminalFixture): MemberBasket {
  const product = pick(standMenu(rt, terminal));
  const quantity = randomInt(1, MAX_QUANTITY);
  return { items: [{ product_id: product.id, quantity }], totalCents: product.price_cents * quantity };
}
