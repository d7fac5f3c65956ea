import { ART15_ITEMS, type AccessAnswer } from './access-answer';
import { ANSWER_TEXTS, controllerLine, datesLine, personDate, type AnswerTexts } from './access-answer.texts';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every value goes through here: the person's values and the policy's texts are data, never markup. */
export const escapeHtml = (value: string | number): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const p = (text: string): string => `<p>${escapeHtml(text)}</p>`;
const list = (items: readonly string[], none: string): string =>
  items.length === 0 ? p(none) : `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
const table = (head: readonly string[], rows: readonly (readonly string[])[], none: string): string =>
  rows.length === 0
    ? p(none)
    : `<table><thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
      rows.map((r) => `<tr>${r.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('') +
      '</tbody></table>';

/** The body of each Art. 15 section, keyed by the part of the answer that meets it. */
function sectionBodies(a: AccessAnswer, w: AnswerTexts): Record<(typeof ART15_ITEMS)[number][1], string> {
  const l = w.labels;
  const date = (iso: string | null) => personDate(w, iso);
  return {
    purposes: table(
      [l.purpose, l.lawfulBasis, w.items.status],
      a.purposes.map((x) => [x.description, x.lawfulBasisText, x.statusText]),
      l.none,
    ),
    categories: list(
      a.categories.map((x) => x.description),
      l.none,
    ),
    recipients:
      p(a.recipients.text) +
      table(
        [l.recipient, l.purpose, l.fields, l.date],
        a.recipients.disclosures.map((d) => [d.recipient, d.purposeText, d.fields.join(', '), date(d.at)]),
        l.none,
      ) +
      list(
        a.recipients.processors.map((x) => `${x.name}: ${x.role} (${x.location})`),
        l.none,
      ),
    retention: p(a.retention.text),
    rights:
      `<dl>${a.rights.map((r) => `<dt>${escapeHtml(r.title)}</dt><dd>${escapeHtml(r.text)}</dd>`).join('')}</dl>` +
      p(w.rightsHowTo(a.controller.contact)),
    complaint: p(a.complaint.text),
    sources: list(
      a.sources.map((s) => `${s.text}: ${s.fields.join(', ')} (${date(s.firstAt)})`),
      l.none,
    ),
    profiling: p(a.profiling.text),
    transfers: p(a.transfers.text),
    data: table(
      [l.field, l.value, l.purpose, l.lawfulBasis, l.source, l.collected, l.updated],
      a.data.map((v) => [
        v.label,
        v.value,
        v.purposeText,
        v.lawfulBasisText,
        `${v.collectedFromText} (${v.source})`,
        date(v.collectedAt),
        date(v.updatedAt),
      ]),
      l.none,
    ),
  };
}

/** The person's own decisions and the request answered: consents, objections, restriction, erasures. */
function decisions(a: AccessAnswer, w: AnswerTexts): string {
  const date = (iso: string | null) => personDate(w, iso);
  const l = w.labels;
  const parts = [
    `<h2>${escapeHtml(w.items.consents)}</h2>`,
    table(
      [l.purpose, w.items.status, l.date, l.channel],
      a.consents.map((c) => [c.purposeText, c.status === 'given' ? l.given : l.withdrawn, date(c.at), c.channel]),
      l.none,
    ),
    `<h2>${escapeHtml(w.items.objections)}</h2>`,
    table(
      [l.purpose, w.items.status, l.date],
      a.objections.map((o) => [o.purposesText.join(', '), o.statusText, date(o.raisedAt)]),
      l.none,
    ),
  ];
  if (a.restriction) parts.push(`<h2>${escapeHtml(w.items.restriction)}</h2>`, p(date(a.restriction.since)));
  if (a.erasures.length > 0)
    parts.push(
      `<h2>${escapeHtml(w.items.erasures)}</h2>`,
      list(
        a.erasures.map((e) => e.text),
        l.none,
      ),
    );
  return parts.join('\n');
}

function header(a: AccessAnswer, w: AnswerTexts): string {
  return [
    `<h1>${escapeHtml(a.title)}</h1>`,
    `<p class="meta">${escapeHtml(controllerLine(a, w))}<br />${escapeHtml(datesLine(a, w))}</p>`,
    p(a.summary),
  ].join('\n');
}

const STYLE = `
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; margin: 2em; color: #111; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } .meta { color: #444; } .article { color: #666; font-size: 0.8em; font-weight: normal; }
dt { font-weight: bold; margin-top: 0.4em; } section { break-inside: avoid; }
@media print { body { margin: 0; } h2 { break-after: avoid; } }
`;

/** The answer as a complete, printable HTML page in the person's language: no script, every value escaped. */
export function renderAccessAnswerHtml(a: AccessAnswer): string {
  const w = ANSWER_TEXTS[a.lang];
  const bodies = sectionBodies(a, w);
  const sections = ART15_ITEMS.map(
    ([item, key]) =>
      `<section id="art-${escapeHtml(item.replace(/[()]+/g, '-').replace(/-$/, ''))}"><h2>${escapeHtml(w.sections[key])}` +
      ` <span class="article">(${escapeHtml(w.articleRef(item))})</span></h2>${bodies[key]}</section>`,
  );
  return [
    '<!doctype html>',
    `<html lang="${a.lang}">`,
    '<head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>${escapeHtml(`${a.title}: ${a.controller.name}`)}</title><style>${STYLE}</style></head>`,
    '<body><main>',
    header(a, w),
    ...sections,
    decisions(a, w),
    '</main></body></html>',
    '',
  ].join('\n');
}
