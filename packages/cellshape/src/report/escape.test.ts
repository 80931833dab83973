import { describe, expect, it } from 'vitest';
import { escapeHtml, inlineScript, jsonForScript } from './escape.js';

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a> é`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt; é',
    );
  });
});

describe('jsonForScript', () => {
  it('cannot close a script element and parses back to the same value', () => {
    const value = {
      a: '</script><script>alert(1)</script>',
      b: '<!-- x -->',
      c: 'a\u2028b&c',
      n: [1, 2.5],
    };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('inlineScript', () => {
  it('breaks every closing script tag, whatever its case, keeping the JavaScript meaning', () => {
    const source = 'var s = "</script>" + "</SCRIPT>";';
    const safe = inlineScript(source);
    expect(safe).not.toMatch(/<\/script/i);
    // `<\/` means `</` inside a JavaScript string.
    expect(new Function(`${safe}; return s;`)()).toBe('</script></SCRIPT>');
  });
});
