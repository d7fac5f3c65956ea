import { htmlProblems } from '../../../../test/support/html-well-formed';
import { defaultPolicy, envelope } from '../../../domain/src/testing/envelopes';
import { personEvents } from '../testing/person-events';
import { ART15_ITEMS } from './access-answer';
import { renderAccessAnswerHtml } from './access-answer.html';
import { composeAccessAnswer } from './compose-access-answer';

const policy = defaultPolicy();
const events = personEvents(policy, [
  envelope('data.collected', {
    purpose: 'client-assignments',
    fields: { 'contact.name': 'Åse <script>alert(1)</script> & "Ø"', 'work.employer': "O'Brien & Sønn" },
    collectedFrom: 'third-party',
  }),
  envelope('data.disclosed', { recipient: 'Klient <AS>', purpose: 'client-assignments', fields: ['contact.name'] }),
]);
const page = (lang: 'nb' | 'en') =>
  renderAccessAnswerHtml(composeAccessAnswer(events, policy, { lang, now: '2026-12-06T12:00:00.000Z' }));

describe('the access answer as an HTML page', () => {
  it.each(['nb', 'en'] as const)(
    'is well-formed, in its language (%s), with a section per point of Art. 15',
    (lang) => {
      const html = page(lang);
      expect(htmlProblems(html)).toEqual([]);
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html.match(/<section id="art-15/g)).toHaveLength(ART15_ITEMS.length);
    },
  );

  it('escapes every value and carries no script', () => {
    const html = page('nb');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Åse &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Ø&quot;');
    expect(html).toContain('O&#39;Brien &amp; Sønn');
    expect(html).toContain('Klient &lt;AS&gt;');
    expect(html).toContain('Fra en annen virksomhet (Webcruiter)');
    expect(html).toContain('Datatilsynet, Postboks 458 Sentrum, 0105 Oslo');
  });
});
