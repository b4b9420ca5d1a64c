// Money is integer cents everywhere. These helpers refuse anything else so a float never
// sneaks into a ledger through a fixture, a CLI flag or a JSON body.

export type Cents = number;

export function isCents(value: unknown): value is Cents {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function assertCents(value: unknown, what = 'amount'): Cents {
  if (!isCents(value)) {
    throw new TypeError(`${what} must be an integer number of cents, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Formats cents for people: 12345 -> "123.45". Never parse this back. */
export function formatCents(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
