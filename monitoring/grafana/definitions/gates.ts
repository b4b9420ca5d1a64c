// Gates: scans per door (scenario tags entry_door_N, reentry), admissions, duplicate taps
// rejected, exits, re-entry fees, and people inside the venue against its capacity (from the
// database: venue_state / festival_settings, sampled by the db monitor).
import { SLO } from '../../../core/thresholds.js';
import { RUN_ANNOTATIONS } from '../annotations.js';
import { k6, k6CounterOrZero, moshpitFields, perMinute } from '../influxql.js';
import type { DashboardDef } from '../panel-model.js';

export const GATES: DashboardDef = {
  uid: 'moshpit-gates',
  title: 'moshpit · Gates',
  file: 'gates.json',
  description: 'Entry and exit scans per door, admissions, duplicates, occupancy against capacity.',
  annotations: RUN_ANNOTATIONS,
  items: [
    { row: 'Scans' },
    {
      key: 'scans-per-door',
      title: 'Scans per minute by door',
      description: 'Entry and exit scan requests (`http_reqs` with op entry/exit) per minute, by `scenario` tag: one per door (entry_door_N) plus the re-entry lane.',
      kind: 'timeseries',
      unit: 'short',
      width: 12,
      queries: [k6(perMinute('sum("value")'), '"http_reqs"', { where: [`"op" =~ /^(entry|exit)$/`], groupBy: ['scenario', 'op'], fill: '0', alias: '$tag_scenario $tag_op' })],
    },
    {
      key: 'gate-p95-by-door',
      title: `Entry scan p95 by door (SLO ${SLO.gateP95Ms} ms)`,
      description: 'p95 of `moshpit_entry_duration` per bucket, by `scenario` tag (door).',
      kind: 'timeseries',
      unit: 'ms',
      width: 12,
      queries: [k6('percentile("value", 95)', '"moshpit_entry_duration"', { groupBy: ['scenario'], alias: '$tag_scenario' })],
      thresholds: [{ value: SLO.gateP95Ms, label: 'p95 SLO' }],
    },
    { row: 'Admissions' },
    {
      key: 'admissions',
      title: 'Admissions and exits per minute',
      description: 'Entries acknowledged (`moshpit_entry_acked`: first entries and paid re-entries) and exits acknowledged (`moshpit_exit_acked`), by door.',
      kind: 'timeseries',
      unit: 'short',
      width: 8,
      queries: [k6(perMinute('sum("value")'), '/^moshpit_(entry|exit)_acked$/', { groupBy: ['scenario'], fill: '0', alias: '$tag_scenario $measurement' })],
      rename: { regex: '^(.*) moshpit_(entry|exit)_acked$', replacement: '$1 $2' },
    },
    {
      key: 'duplicates',
      title: 'Duplicate taps rejected per minute',
      description: 'Entry scans of a wallet already inside, rejected with 409 duplicate_entry (`moshpit_entry_rejected{reason:duplicate_entry}`).',
      kind: 'timeseries',
      unit: 'short',
      width: 8,
      queries: [k6CounterOrZero('perMinute', '"moshpit_entry_rejected"', { where: [`"reason" = 'duplicate_entry'`], alias: 'duplicates rejected' })],
      sumSeries: 'duplicates rejected',
    },
    {
      key: 'entry-rejections',
      title: 'Entry rejections by reason per minute',
      description: '`moshpit_entry_rejected` by reason: duplicate_entry, insufficient_funds (re-entry fee), wallet_blocked, capacity_reached. A reason is missing when it never happened.',
      kind: 'timeseries',
      unit: 'short',
      width: 8,
      queries: [k6(perMinute('sum("value")'), '"moshpit_entry_rejected"', { groupBy: ['reason'], fill: '0', alias: '$tag_reason' })],
    },
    { row: 'Venue' },
    {
      key: 'inside-vs-capacity',
      title: 'People inside vs capacity',
      description: 'venue_state.occupancy and festival_settings.venue_capacity, sampled from the database by the db monitor.',
      kind: 'timeseries',
      unit: 'short',
      width: 12,
      queries: [moshpitFields('moshpit_festival', [
        { field: 'venue_occupancy', label: 'inside', aggregate: 'last' },
        { field: 'venue_capacity', label: 'capacity', aggregate: 'last' },
      ])],
    },
    {
      key: 'reentry-fees',
      title: 'Re-entry fees, cumulative',
      description: 'Load: running sum of `moshpit_entry_acked_cents` / 100. Database: fees of the run\'s admissions in nfc_scan_log.',
      kind: 'timeseries',
      unit: 'none',
      decimals: 2,
      width: 12,
      queries: [
        k6('cumulative_sum(sum("value")) / 100 AS "fees (load acknowledged)"', '"moshpit_entry_acked_cents"', { fill: '0', alias: 'fees (load acknowledged)' }),
        moshpitFields('moshpit_festival', [{ field: 'run_reentry_fee_cents', label: 'fees (database)', aggregate: 'last', divideBy: 100 }]),
      ],
    },
  ],
};
