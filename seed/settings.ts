// Optional changes to the single festival_settings row. Only fields the caller names are
// updated; without any, the row is not touched at all.
import type pg from 'pg';
import type { FestivalSettings } from '../core/fixture-manifest.js';
import { validateWholeNumber } from './input.js';

export interface FestivalSettingsChange {
  platformFeeBps?: number;
  reentryFeeCents?: number;
  venueCapacity?: number;
}

/** Same bounds as the table's CHECK constraints, checked before we connect. */
export function validateSettingsChange(change: FestivalSettingsChange = {}): FestivalSettingsChange {
  const out: FestivalSettingsChange = {};
  if (change.platformFeeBps !== undefined) out.platformFeeBps = validateWholeNumber(change.platformFeeBps, 'platform fee (bps)', 0, 10_000);
  if (change.reentryFeeCents !== undefined) out.reentryFeeCents = validateWholeNumber(change.reentryFeeCents, 're-entry fee (cents)', 0, Number.MAX_SAFE_INTEGER);
  if (change.venueCapacity !== undefined) out.venueCapacity = validateWholeNumber(change.venueCapacity, 'venue capacity', 1, 2_147_483_647);
  return out;
}

const COLUMNS: Record<keyof FestivalSettingsChange, string> = {
  platformFeeBps: 'platform_fee_bps',
  reentryFeeCents: 'reentry_fee_cents',
  venueCapacity: 'venue_capacity',
};

export async function applySettingsChange(client: pg.ClientBase, change: FestivalSettingsChange): Promise<boolean> {
  const entries = (Object.keys(COLUMNS) as Array<keyof FestivalSettingsChange>).filter((k) => change[k] !== undefined);
  if (entries.length === 0) return false;
  const sets = entries.map((k, i) => `${COLUMNS[k]} = $${i + 1}`).join(', ');
  await client.query(`UPDATE festival_settings SET ${sets} WHERE id`, entries.map((k) => change[k]));
  return true;
}

export async function readSettings(client: pg.ClientBase): Promise<FestivalSettings> {
  const { rows } = await client.query(
    'SELECT platform_fee_bps, reentry_fee_cents::bigint AS reentry_fee_cents, venue_capacity FROM festival_settings WHERE id',
  );
  const row = rows[0];
  if (!row) throw new Error('festival_settings has no row: is the database migrated?');
  return { platform_fee_bps: Number(row.platform_fee_bps), reentry_fee_cents: Number(row.reentry_fee_cents), venue_capacity: Number(row.venue_capacity) };
}
