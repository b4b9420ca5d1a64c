// One-line progress for long steps (building k6, initdb, installing packages).
const isTty = process.stderr.isTTY;

export function progress(message: string): void {
  process.stderr.write(`moshpit: ${message}\n`);
}

/** Runs fn while printing elapsed seconds every few seconds, so a long build never looks hung. */
export async function withProgress<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  progress(`${label} ...`);
  const timer = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    if (isTty) process.stderr.write(`\rmoshpit: ${label} ... ${s}s`);
    else if (s % 30 === 0) progress(`${label} ... ${s}s`);
  }, isTty ? 1000 : 5000);
  try {
    const out = await fn();
    if (isTty) process.stderr.write('\n');
    progress(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return out;
  } finally {
    clearInterval(timer);
  }
}
