// Text into XML or HTML (JUnit files, report.html, SVG charts): one escaping for all of them.
// &apos; is valid in both XML and HTML5; characters XML 1.0 cannot carry at all become U+FFFD.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Safe as element text and as a quoted attribute value; null and undefined become ''. */
export function escapeMarkup(text: unknown): string {
  return String(text ?? '')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
