// No duplicate admission, exits follow admissions, presence and entry counts
// agree with the scan log, re-entry fees exactly for re-entries, capacity, occupancy.
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.js';
import { buildBaseline } from './support/baseline.js';
import { appendLedgerEntry, one } from './support/inject.js';
import { resetFestivalTables } from './support/reset.js';
import { expectFailures, result, validate } from './support/validation.js';

const db = await useTestDatabase();

describe('entries', () => {
  beforeEach(() => resetFestivalTables(db.pool));

  it('duplicate-admission: a wallet admitted again while inside (stale presence read)', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    // A racing gate read "outside" for Bob, who is inside: the second admission goes through.
    await db.pool.query(`UPDATE wallets SET inside = false WHERE id = $1`, [wallets.bob]);
    const r = await f.entry(wallets.bob, { gateway: 'gateway-2' });
    expect(r.result).toBe('readmitted');
    const report = await validate(db.url);
    // The venue counter took a second slot for one person: occupancy drifts too.
    expectFailures(report, { 'entry-no-duplicate': 1, 'entry-occupancy': 1 });
    expect(result(report, 'entry-no-duplicate').witnesses).toEqual([
      expect.objectContaining({ wallet_id: wallets.bob, gateway_id: 'k6-test-gateway-2', result: 'readmitted' }),
    ]);
    expect(result(report, 'entry-occupancy').witnesses).toEqual([{ occupancy: 2, wallets_inside: 1, drift: 1 }]);
  });

  it('exit-without-admission: an exit logged for a wallet that never entered', async () => {
    const { wallets } = await buildBaseline(db.pool);
    await db.pool.query(
      `INSERT INTO nfc_scan_log (wallet_id, gateway_id, direction, result, occupancy_after, idempotency_key)
       VALUES ($1, 'k6-test-gateway-1', 'exit', 'exited', 0, 'run-1:exit:x')`, [wallets.erin]);
    const report = await validate(db.url);
    expectFailures(report, { 'entry-exit-sequence': 1 });
    expect(result(report, 'entry-exit-sequence').witnesses[0]).toMatchObject({ wallet_id: wallets.erin, previous_scan_id: null });
  });

  it('presence-mismatch: exit acknowledged and logged but the wallet still inside (defect exit_not_recorded)', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    const r = await f.exit(wallets.bob, { defects: ['exit_not_recorded'] });
    expect(r).toMatchObject({ ok: true, result: 'exited' });
    const report = await validate(db.url);
    expectFailures(report, { 'entry-presence': 1 });
    expect(result(report, 'entry-presence').witnesses).toEqual([
      expect.objectContaining({ wallet_id: wallets.bob, inside: true, last_scan_result: 'exited' }),
    ]);
  });

  it('entry-count-mismatch: entry_count disagrees with the admissions in the scan log', async () => {
    const { wallets } = await buildBaseline(db.pool);
    await db.pool.query(`UPDATE wallets SET entry_count = 3 WHERE id = $1`, [wallets.alice]);
    const report = await validate(db.url);
    expectFailures(report, { 'entry-count': 1 });
    expect(result(report, 'entry-count').witnesses).toEqual([{ wallet_id: wallets.alice, entry_count: 3, admissions: 2, misnumbered_admissions: 0 }]);
  });

  it('reentry-fee-mismatch: a re-entry let through without the fee', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    await db.pool.query(`UPDATE festival_settings SET reentry_fee_cents = 0`); // the bug: fee not applied
    await f.entry(wallets.carol);
    await f.exit(wallets.carol);
    const free = await f.entry(wallets.carol);
    await db.pool.query(`UPDATE festival_settings SET reentry_fee_cents = 500`);
    const report = await validate(db.url);
    expectFailures(report, { 'entry-reentry-fees': 1 });
    expect(result(report, 'entry-reentry-fees').witnesses).toEqual([
      expect.objectContaining({ kind: 'admission_fee_mismatch', wallet_id: wallets.carol, admission_number: 2, recorded_fee_cents: 0, expected_fee_cents: 500, fee_ledger_rows: 0, charged_cents: 0 }),
    ]);
    expect(free).toMatchObject({ result: 'readmitted', fee_cents: 0 });
  });

  it('reentry-fee-mismatch: a fee charged on a first admission', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const first = await one<{ id: string }>(db.pool, `SELECT id::text FROM nfc_scan_log WHERE wallet_id = $1 AND result = 'admitted'`, [wallets.bob]);
    await appendLedgerEntry(db.pool, { wallet: wallets.bob, kind: 'reentry_fee', amountCents: -500, reference: first.id });
    const report = await validate(db.url);
    expectFailures(report, { 'entry-reentry-fees': 1, conservation: 1 });
    expect(result(report, 'entry-reentry-fees').witnesses).toEqual([
      expect.objectContaining({ wallet_id: wallets.bob, admission_number: 1, recorded_fee_cents: 0, expected_fee_cents: 0, fee_ledger_rows: 1, charged_cents: 500 }),
    ]);
  });

  it('reentry-fee-mismatch: a fee row with no re-admission behind it', async () => {
    const { wallets } = await buildBaseline(db.pool);
    const exit = await one<{ id: string }>(db.pool, `SELECT max(id)::text AS id FROM nfc_scan_log WHERE wallet_id = $1 AND result = 'exited'`, [wallets.alice]);
    await appendLedgerEntry(db.pool, { wallet: wallets.alice, kind: 'reentry_fee', amountCents: -500, reference: exit.id });
    const report = await validate(db.url);
    expectFailures(report, { 'entry-reentry-fees': 1, conservation: 1 });
    expect(result(report, 'entry-reentry-fees').witnesses[0]).toMatchObject({ kind: 'fee_without_readmission', wallet_id: wallets.alice, amount_cents: -500, reference_id: exit.id });
  });

  it('capacity-exceeded: admissions past the venue capacity (defect capacity_not_enforced)', async () => {
    const { f, wallets } = await buildBaseline(db.pool);
    await db.pool.query(`UPDATE festival_settings SET venue_capacity = 2`);
    // The correct target refuses the third person...
    await f.entry(wallets.carol);
    expect(await f.entry(wallets.erin)).toMatchObject({ ok: false, code: 'capacity_reached' });
    expectFailures(await validate(db.url), {});
    // ...the defective one lets them in.
    await f.entry(wallets.erin, { defects: ['capacity_not_enforced'] });
    const report = await validate(db.url);
    expectFailures(report, { 'entry-capacity': 2 });
    const r = result(report, 'entry-capacity');
    expect(r.witnesses).toEqual([
      expect.objectContaining({ kind: 'admission_over_capacity', wallet_id: wallets.erin, occupancy_after: 3, venue_capacity: 2 }),
      { kind: 'inside_over_capacity', wallets_inside: 3, venue_capacity: 2 },
    ]);
    expect(r.info).toMatchObject({ admission_over_capacity: 1, inside_over_capacity: 1, peak_occupancy_after: 3 });
  });

  it('occupancy-drift: the venue counter disagrees with the wallets inside', async () => {
    await buildBaseline(db.pool);
    await db.pool.query(`UPDATE venue_state SET occupancy = occupancy + 3`);
    const report = await validate(db.url);
    expectFailures(report, { 'entry-occupancy': 1 });
    expect(result(report, 'entry-occupancy').witnesses).toEqual([{ occupancy: 4, wallets_inside: 1, drift: 3 }]);
  });
});
