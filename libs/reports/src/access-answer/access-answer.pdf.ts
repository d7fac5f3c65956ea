import PDFDocument from 'pdfkit';
import { ART15_ITEMS, type AccessAnswer } from './access-answer';
import { ANSWER_TEXTS, controllerLine, datesLine, personDate, type AnswerTexts } from './access-answer.texts';

/**
 * DejaVu Sans, embedded (subset) in every answer: it has æ, ø and å, which the PDF standard
 * fonts cannot be trusted to show, and the answer must read the same on any reader.
 */
const FONTS = {
  body: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};

type Doc = PDFKit.PDFDocument;
const MARGIN = 56;

const heading = (doc: Doc, text: string, article?: string): void => {
  doc
    .moveDown(0.8)
    .font('bold')
    .fontSize(12.5)
    .fillColor('#111')
    .text(text, { continued: article !== undefined });
  if (article !== undefined) doc.font('body').fontSize(8.5).fillColor('#666').text(`  (${article})`);
  doc.moveDown(0.2).font('body').fontSize(10).fillColor('#111');
};
const para = (doc: Doc, text: string): void =>
  void doc.font('body').fontSize(10).fillColor('#111').text(text).moveDown(0.3);
const small = (doc: Doc, text: string): void =>
  void doc.font('body').fontSize(8.5).fillColor('#444').text(text).moveDown(0.3);
const bullets = (doc: Doc, items: readonly string[], none: string): void => {
  if (items.length === 0) return para(doc, none);
  doc
    .font('body')
    .fontSize(10)
    .fillColor('#111')
    .list([...items], { bulletRadius: 1.6, textIndent: 10 });
  doc.moveDown(0.3);
};

/** Art. 15(3): each value, then where it came from and why it is kept. */
function writeValues(doc: Doc, a: AccessAnswer, w: AnswerTexts): void {
  const l = w.labels;
  if (a.data.length === 0) para(doc, l.none);
  for (const v of a.data) {
    doc.font('bold').fontSize(10).fillColor('#111').text(`${v.label}: `, { continued: true });
    doc.font('body').text(v.value);
    const dates = `${l.collected} ${personDate(w, v.collectedAt)}; ${l.updated} ${personDate(w, v.updatedAt)}.`;
    small(doc, `${v.purposeText}. ${v.lawfulBasisText}. ${v.collectedFromText} (${v.source}). ${dates}`);
  }
}

/** The body of each Art. 15 section, drawn in order. */
function sectionWriters(
  doc: Doc,
  a: AccessAnswer,
  w: AnswerTexts,
): Record<(typeof ART15_ITEMS)[number][1], () => void> {
  const l = w.labels;
  const date = (iso: string | null) => personDate(w, iso);
  return {
    purposes: () =>
      bullets(
        doc,
        a.purposes.map((x) => `${x.description}. ${x.lawfulBasisText}. ${x.statusText}.`),
        l.none,
      ),
    categories: () =>
      bullets(
        doc,
        a.categories.map((x) => x.description),
        l.none,
      ),
    recipients: () => {
      para(doc, a.recipients.text);
      bullets(
        doc,
        a.recipients.disclosures.map((d) => `${d.recipient}, ${date(d.at)}: ${d.fields.join(', ')} (${d.purposeText})`),
        l.none,
      );
      bullets(
        doc,
        a.recipients.processors.map((x) => `${x.name}: ${x.role} (${x.location})`),
        l.none,
      );
    },
    retention: () => para(doc, a.retention.text),
    rights: () => {
      for (const r of a.rights) {
        doc.font('bold').fontSize(10).text(r.title);
        para(doc, r.text);
      }
      para(doc, w.rightsHowTo(a.controller.contact));
    },
    complaint: () => para(doc, a.complaint.text),
    sources: () =>
      bullets(
        doc,
        a.sources.map((s) => `${s.text}: ${s.fields.join(', ')} (${date(s.firstAt)})`),
        l.none,
      ),
    profiling: () => para(doc, a.profiling.text),
    transfers: () => para(doc, a.transfers.text),
    data: () => writeValues(doc, a, w),
  };
}

/** Consents, objections, restriction and erasures: what the person decided, and what became of the data. */
function writeDecisions(doc: Doc, a: AccessAnswer, w: AnswerTexts): void {
  const date = (iso: string | null) => personDate(w, iso);
  heading(doc, w.items.consents);
  bullets(
    doc,
    a.consents.map(
      (c) =>
        `${c.purposeText}: ${c.status === 'given' ? w.labels.given : w.labels.withdrawn} ${date(c.at)} (${c.channel})`,
    ),
    w.labels.none,
  );
  heading(doc, w.items.objections);
  bullets(
    doc,
    a.objections.map((o) => `${o.purposesText.join(', ')}: ${o.statusText} (${date(o.raisedAt)})`),
    w.labels.none,
  );
  if (a.restriction) {
    heading(doc, w.items.restriction);
    para(doc, date(a.restriction.since));
  }
  if (a.erasures.length > 0) {
    heading(doc, w.items.erasures);
    bullets(
      doc,
      a.erasures.map((e) => e.text),
      w.labels.none,
    );
  }
}

function writeHeader(doc: Doc, a: AccessAnswer, w: AnswerTexts): void {
  doc.font('bold').fontSize(18).fillColor('#111').text(a.title).moveDown(0.3);
  small(doc, controllerLine(a, w));
  small(doc, datesLine(a, w));
  para(doc, a.summary);
}

/** Page numbers last, once the number of pages is known. */
function numberPages(doc: Doc, w: AnswerTexts): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('body')
      .fontSize(8)
      .fillColor('#666')
      .text(`${w.labels.page} ${i + 1} / ${range.count}`, MARGIN, doc.page.height - 36, {
        align: 'right',
        width: doc.page.width - 2 * MARGIN,
      });
    doc.page.margins.bottom = bottom;
  }
}

/** The answer as an A4 PDF a DPO can send: the same content as the HTML page, in the person's language. */
export function renderAccessAnswerPdf(a: AccessAnswer): Promise<Buffer> {
  const w = ANSWER_TEXTS[a.lang];
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    lang: a.lang,
    info: {
      Title: `${a.title}: ${a.controller.name}`,
      Author: a.controller.name,
      CreationDate: new Date(a.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', FONTS.body);
  doc.registerFont('bold', FONTS.bold);
  writeHeader(doc, a, w);
  const writers = sectionWriters(doc, a, w);
  for (const [item, key] of ART15_ITEMS) {
    heading(doc, w.sections[key], w.articleRef(item));
    writers[key]();
  }
  writeDecisions(doc, a, w);
  numberPages(doc, w);
  doc.end();
  return done;
}
