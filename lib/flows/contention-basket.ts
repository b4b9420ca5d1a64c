// What one group member buys at a bar: one product from that stand's menu, one or two of it.
// Small on purpose: the group's wallet pays for several members' rounds at once.
import type { Cents } from '../../core/money.js';
import type { ProductFixture, TerminalFixture } from '../fixtures.js';
import { pick, randomInt } from '../random.js';
import type { Runtime } from '../runtime.js';
import type { OrderLine } from '../targets/index.js';

export interface MemberBasket { items: OrderLine[]; totalCents: Cents }

const MAX_QUANTITY = 2;
const menus = new Map<string, ProductFixture[]>();

/** The stand's own products (its vendor's), all products if it has none. */
function menuFor(rt: Runtime, terminal: TerminalFixture): ProductFixture[] {
  let menu = menus.get(terminal.id);
  if (!menu) {
    const all: ProductFixture[] = [];
    for (let i = 0; i < rt.fixtures.products.length; i++) all.push(rt.fixtures.products[i] as ProductFixture);
    const own = all.filter((p) => p.vendor_id === terminal.vendor_id);
    menu = own.length > 0 ? own : all;
    menus.set(terminal.id, menu);
  }
  return menu;
}

/** The basket and its total at fixture prices (what the target must charge). */
export function memberBasket(rt: Runtime, terminal: TerminalFixture): MemberBasket {
  const product = pick(menuFor(rt, terminal));
  const quantity = randomInt(1, MAX_QUANTITY);
  return { items: [{ product_id: product.id, quantity }], totalCents: product.price_cents * quantity };
}
