// What a terminal's stand sells: its vendor's products (all products if it has none).
// Built once per terminal per fixture set and shared by every iteration (read-only).
import type { Fixtures, ProductFixture, TerminalFixture } from './fixtures.js';
import type { Runtime } from './runtime.js';

const menus = new WeakMap<Fixtures, Map<string, ProductFixture[]>>();

export function standMenu(rt: Runtime, terminal: TerminalFixture): ProductFixture[] {
  let byTerminal = menus.get(rt.fixtures);
  if (!byTerminal) menus.set(rt.fixtures, (byTerminal = new Map()));
  let menu = byTerminal.get(terminal.id);
  if (!menu) {
    // Indexed copy: k6's SharedArray has no filter().
    const all: ProductFixture[] = [];
    for (let i = 0; i < rt.fixtures.products.length; i++) all.push(rt.fixtures.products[i] as ProductFixture);
    const own = all.filter((p) => p.vendor_id === terminal.vendor_id);
    menu = own.length > 0 ? own : all;
    byTerminal.set(terminal.id, menu);
  }
  return menu;
}
