// Shared SQL for the entry checkers: a wallet's effective gate scans (those that changed
// presence) in id order. Rejected scans (duplicate_entry, capacity_reached, ...) changed nothing.
export const ADMISSION_RESULTS = `('admitted', 'readmitted')`;
export const EFFECTIVE_SCAN_RESULTS = `('admitted', 'readmitted', 'exited')`;

/** Effective scans of the scope's wallets with the previous effective scan's result and id. $1 = wallet LIKE. */
export const EFFECTIVE_SCANS_WITH_PREVIOUS = `
  SELECT s.id, s.wallet_id, s.gateway_id, s.result, s.entry_number, s.scanned_at,
         lag(s.result) OVER w AS previous_result, lag(s.id) OVER w AS previous_scan_id
  FROM nfc_scan_log s
  WHERE s.wallet_id LIKE $1 AND s.result IN ${EFFECTIVE_SCAN_RESULTS}
  WINDOW w AS (PARTITION BY s.wallet_id ORDER BY s.id)`;
