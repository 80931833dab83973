const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and quoted attribute values (`& < > " '`), so text
 * read from run files (cell ids, treatment names) can never open a tag or end an attribute.
 */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * Serialises a value as JSON that is safe inside an HTML `<script type="application/json">`
 * element: `<`, `>`, `&` and the line separators U+2028 / U+2029 become `\u` escapes, so no
 * string can close the element (`</script>`) or open a comment (`<!--`). `JSON.parse` of the
 * element's text gives the value back unchanged. Non-finite numbers become `null` (as JSON).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Makes a JavaScript source safe to inline in an HTML `<script>` element: every `</script`
 * becomes `<\/script`, which means the same inside JavaScript strings, templates and regular
 * expressions but cannot end the element.
 */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}
