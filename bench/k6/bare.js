// The bare k6 reference of the load generator (bench/README.md), run only with the user's own
// k6 (moshpit never downloads or builds k6): one GET per arrival against the bench's trivial
// loopback server, at a constant arrival rate, no checks, no custom metrics, no think time.
// The k6 counterpart of bench/reference/bare-processor.cjs. Plain JavaScript on purpose: no
// bundler, nothing but k6 itself.
//
// Environment: BARE_URL (the URL to GET), BARE_RATE (arrivals per second), BARE_DURATION
// (e.g. "20s"), BARE_MAX_VUS (VU pool for the arrivals).
import http from 'k6/http';

const url = __ENV.BARE_URL;
const params = { tags: { name: 'bare' } };
const rate = Number(__ENV.BARE_RATE || 1);
const maxVUs = Number(__ENV.BARE_MAX_VUS || 64);

export const options = {
  scenarios: {
    bare: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: __ENV.BARE_DURATION || '10s',
      preAllocatedVUs: Math.min(maxVUs, Math.max(2, Math.ceil(rate / 20))),
      maxVUs,
      gracefulStop: '5s',
    },
  },
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max', 'count'],
  systemTags: ['status', 'method', 'name', 'scenario'],
};

export default function () {
  http.get(url, params);
}
