// What a terminal's stand sells: its vendor's products (all products if it has none).
// Built once per terminal per VU from the SharedArray fixtures.
import type { ProductFixture, TerminalFixture } from './fixtures.js';
import type { Runtime } from './runtime.js';

const menus = new Map<string, ProductFixture[]>();

export function standMenu(rt: Runtime, terminal: TerminalFixture): ProductFixture[] {
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
