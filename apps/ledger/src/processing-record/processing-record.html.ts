import { escapeHtml } from '#ledger/reports';
import type { DriftEntry, ProcessingActivity, ProcessingRecord } from './processing-record';
import { RECORD_TEXTS, type RecordTexts } from './processing-record.texts';

const list = (items: readonly string[], none: string): string =>
  items.length === 0 ? escapeHtml(none) : `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;

const row = (label: string, html: string): string =>
  `<tr><th scope="row">${escapeHtml(label)}</th><td>${html}</td></tr>`;

// Print first: the record is handed to an inspector on paper as often as on screen.
const STYLE = `
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; margin: 2em; color: #111; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { width: 28%; background: #f2f2f2; } ul { margin: 0; padding-left: 1.2em; }
.meta { color: #444; } code { word-break: break-all; }
section { break-inside: avoid; }
@media print { body { margin: 0; } h2 { break-after: avoid; } }
`;

function controllerTable(record: ProcessingRecord, words: RecordTexts): string {
  const c = record.controller;
  return `<table>${[
    row(words.controller, escapeHtml(c.name)),
    row(words.organisationNumber, escapeHtml(c.organisationNumber)),
    row(words.address, escapeHtml(c.address)),
    row(words.country, escapeHtml(c.country)),
    row(words.contact, escapeHtml(c.contact)),
    row(words.dpo, `${escapeHtml(c.dpo.name)}<br />${escapeHtml(c.dpo.contact)}`),
    row(words.supervisoryAuthority, escapeHtml(c.supervisoryAuthority)),
    row(words.policyVersion, escapeHtml(record.policyVersion)),
    row(words.policySha256, `<code>${escapeHtml(record.policySha256)}</code>`),
  ].join('')}</table>`;
}

function activitySection(a: ProcessingActivity, words: RecordTexts): string {
  const processors = a.processors.map((p) => `${p.name}: ${p.role} (${p.location}); ${words.agreement} ${p.agreement}`);
  const { subjects, events, lastAt } = a.observed;
  return `<section id="purpose-${escapeHtml(a.purpose)}"><h2>${escapeHtml(a.description)}</h2><table>${[
    row(words.purpose, `${escapeHtml(a.description)} (<code>${escapeHtml(a.purpose)}</code>)`),
    row(words.lawfulBasis, escapeHtml(a.lawfulBasisText)),
    row(words.dataSubjects, list(a.dataSubjects, words.none)),
    row(
      words.categories,
      list(
        a.categories.map((c) => c.description),
        words.none,
      ),
    ),
    row(words.recipients, list(a.recipients, words.none)),
    row(words.processors, list(processors, words.none)),
    row(words.transfers, escapeHtml(a.transfers.summary)),
    row(words.retention, escapeHtml(a.retention.rule)),
    row(words.securityMeasures, list(a.securityMeasures, words.none)),
    row(words.observed, escapeHtml(words.observedFigures(subjects, events, lastAt))),
  ].join('')}</table></section>`;
}

const driftList = (entries: readonly DriftEntry[], words: RecordTexts): string =>
  list(
    entries.map((e) => `${e.name}: ${words.seen(e.events, e.lastAt)}`),
    words.none,
  );

/** The record as a complete, printable HTML document in its language: no script, every value escaped. */
export function renderProcessingRecordHtml(record: ProcessingRecord): string {
  const words = RECORD_TEXTS[record.lang];
  return [
    '<!doctype html>',
    `<html lang="${record.lang}">`,
    '<head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>${escapeHtml(`${words.title}: ${record.controller.name}`)}</title><style>${STYLE}</style></head>`,
    '<body><main>',
    `<h1>${escapeHtml(words.title)}</h1>`,
    `<p class="meta">${escapeHtml(`${words.subtitle}. ${words.generatedAt} ${record.generatedAt}`)}</p>`,
    controllerTable(record, words),
    `<h2>${escapeHtml(words.activities)}</h2>`,
    ...record.activities.map((a) => activitySection(a, words)),
    `<section id="drift"><h2>${escapeHtml(words.drift)}</h2><p>${escapeHtml(words.driftNote)}</p><table>`,
    row(words.driftSources, driftList(record.drift.sources, words)),
    row(words.driftRecipients, driftList(record.drift.recipients, words)),
    '</table></section>',
    '</main></body></html>',
    '',
  ].join('\n');
}
