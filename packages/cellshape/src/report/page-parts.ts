import { escapeHtml } from './escape.js';

/**
 * The building blocks of the report pages (the run report and the analysis page): sections,
 * captions, notes, key–value tables and plot containers, as HTML text with every data string
 * escaped.
 */

/** Rows of a key–value table: nested objects flattened to dotted keys. */
function flatten(value: unknown, prefix: string, out: [string, string][]): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.push([prefix, '{}']);
    for (const [key, v] of entries) flatten(v, prefix ? `${prefix}.${key}` : key, out);
    return out;
  }
  let text: string;
  if (Array.isArray(value)) {
    const simple = value.every((v) => v === null || typeof v !== 'object');
    text =
      simple && value.length <= 16
        ? value.map((v) => String(v)).join(', ')
        : `[${value.length} values]`;
  } else text = value === undefined ? '' : typeof value === 'string' ? value : String(value);
  out.push([prefix, text]);
  return out;
}

/** A two-column table of a (nested) object: dotted keys, escaped values. */
export function keyValueTable(value: Record<string, unknown>): string {
  const rows = flatten(value, '', [])
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  return `<table class="kv">${rows}</table>`;
}

/** A highlighted note (escaped); nothing for no text. */
export function note(text: string | undefined): string {
  return text ? `<p class="note">${escapeHtml(text)}</p>` : '';
}

/** A card section with an id (the table of contents links it) and a title. */
export function section(id: string, title: string, body: string): string {
  return `<section class="card" id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

/** A caption paragraph; `html` is trusted markup (escape any data in it). */
export function caption(html: string): string {
  return `<p class="caption">${html}</p>`;
}

/** An empty plot container the page script draws into. */
export function plot(id: string, extraClass = ''): string {
  return `<div class="plot${extraClass ? ` ${extraClass}` : ''}" id="${id}"></div>`;
}
