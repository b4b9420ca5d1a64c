// The load-generator reference: the barest k6 script that talks to the same target endpoint
// the bundles read most (REST GET /v1/wallets/{id}), one request per iteration, no checks,
// no custom metrics, no think time. Run by bench/load-generator.ts with the same k6 binary
// as the bundles. Plain JavaScript on purpose: no bundler, nothing but k6 itself.
//
// Environment: TARGET_URL, API_KEY, WALLET_ID (an existing wallet), BARE_VUS, BARE_DURATION
// (e.g. "20s"); optional BARE_SLEEP (seconds between iterations, default 0).
import http from 'k6/http';
import { sleep } from 'k6';

const target = __ENV.TARGET_URL;
const url = `${target}/v1/wallets/${encodeURIComponent(__ENV.WALLET_ID)}`;
const params = { headers: { Authorization: `Bearer ${__ENV.API_KEY}` }, tags: { name: '/v1/wallets/{id}' } };
const pause = Number(__ENV.BARE_SLEEP || 0);

export const options = {
  scenarios: {
    bare: { executor: 'constant-vus', vus: Number(__ENV.BARE_VUS || 1), duration: __ENV.BARE_DURATION || '10s', gracefulStop: '5s' },
  },
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max', 'count'],
  systemTags: ['status', 'method', 'name', 'scenario'],
};

export default function () {
  http.get(url, params);
  if (pause > 0) sleep(pause);
}
