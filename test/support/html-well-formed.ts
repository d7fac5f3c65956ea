const VOID = new Set(['meta', 'br', 'hr', 'img', 'link', 'input', 'col', 'wbr']);

/**
 * Problems of an HTML document by a strict reading: every element closed in order, no stray `<`
 * or bare `&` in text, one root `html`. Enough to catch an unescaped value or a broken template.
 */
export function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  if (!/^<!doctype html>\n/i.test(html)) problems.push('no doctype first');
  const body = html.replace(/^<!doctype html>/i, '').replace(/<style>[^<]*<\/style>/g, '<style></style>');
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+="[^"<>]*")*)\s*(\/?)>/g;
  let last = 0;
  let roots = 0;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    const text = body.slice(last, m.index);
    if (/[<>]/.test(text)) problems.push(`stray < or > before offset ${m.index}`);
    if (/&(?![a-z]+;|#\d+;)/.test(text)) problems.push(`bare & before offset ${m.index}`);
    last = tag.lastIndex;
    const [, closing, rawName, , selfClosing] = m;
    const name = rawName!.toLowerCase();
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> does not close <${open ?? ''}> at offset ${m.index}`);
    } else if (!selfClosing && !VOID.has(name)) {
      if (stack.length === 0) roots += 1;
      stack.push(name);
    }
  }
  if (/[<>]/.test(body.slice(last))) problems.push('stray < or > at the end');
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
