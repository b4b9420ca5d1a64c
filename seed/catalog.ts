// The festival's fixed test catalogue: 4 concession stands (one vendor, one terminal each) and
// 2 entry doors. Prices are integer cents; the spread (2.50 to 55.00) makes nearly empty
// wallets hit insufficient_funds on some orders but not on all.
import { assertCents } from '../core/money.js';

export interface VendorRow { id: string; name: string }
export interface ProductRow { id: string; vendor_id: string; name: string; price_cents: number }
export interface TerminalRow { id: string; vendor_id: string; name: string }
export interface GatewayRow { id: string; name: string }

export interface Catalog {
  vendors: VendorRow[];
  products: ProductRow[];
  terminals: TerminalRow[];
  gateways: GatewayRow[];
}

const STANDS: Array<{ name: string; terminal: string; products: Array<[slug: string, name: string, priceCents: number]> }> = [
  {
    name: 'Main Stage Bar',
    terminal: 'Main Stage Bar till',
    products: [
      ['beer', 'Lager 0.5l', 650],
      ['ipa', 'IPA 0.4l', 750],
      ['cider', 'Cider 0.4l', 700],
      ['gin-tonic', 'Gin & Tonic', 1100],
      ['soft-drink', 'Soft drink 0.4l', 400],
      ['water', 'Water 0.5l', 300],
    ],
  },
  {
    name: 'Street Food Truck',
    terminal: 'Street Food Truck register',
    products: [
      ['burger', 'Cheeseburger', 1250],
      ['veggie-burger', 'Veggie burger', 1200],
      ['fries', 'Fries', 550],
      ['hot-dog', 'Hot dog', 800],
      ['pizza-slice', 'Pizza slice', 600],
    ],
  },
  {
    name: 'Coffee Cart',
    terminal: 'Coffee Cart register',
    products: [
      ['espresso', 'Espresso', 250],
      ['flat-white', 'Flat white', 400],
      ['cappuccino', 'Cappuccino', 380],
      ['chai-latte', 'Chai latte', 420],
      ['croissant', 'Croissant', 320],
    ],
  },
  {
    name: 'Merch Tent',
    terminal: 'Merch Tent register',
    products: [
      ['tshirt', 'Festival T-shirt', 3000],
      ['hoodie', 'Festival hoodie', 5500],
      ['cap', 'Cap', 2500],
      ['poster', 'Line-up poster', 1500],
      ['tote-bag', 'Tote bag', 1200],
    ],
  },
];

export function testCatalog(prefix: string): Catalog {
  const catalog: Catalog = { vendors: [], products: [], terminals: [], gateways: [] };
  STANDS.forEach((stand, i) => {
    const vendorId = `${prefix}vendor-${i + 1}`;
    catalog.vendors.push({ id: vendorId, name: stand.name });
    catalog.terminals.push({ id: `${prefix}terminal-${i + 1}`, vendor_id: vendorId, name: stand.terminal });
    for (const [slug, name, priceCents] of stand.products) {
      catalog.products.push({ id: `${prefix}p-${slug}`, vendor_id: vendorId, name, price_cents: assertCents(priceCents, name) });
    }
  });
  for (const door of [1, 2]) catalog.gateways.push({ id: `${prefix}gateway-door-${door}`, name: `Door ${door}` });
  return catalog;
}
