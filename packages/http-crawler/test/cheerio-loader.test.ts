import { load, type CheerioAPI } from 'cheerio';
import { describe, expect, it } from 'vitest';

import { loadPage } from '../src/cheerio-loader.js';

const SHOP = `<!doctype html><html><head><title>Shop &amp; more</title></head><body>
  <ul id="products">
    <li class="product"><a href="/p/1">One</a><span class="price">$1</span></li>
    <li class="product"><a href="/p/2">Two</a><span class="price">$2</span></li>
  </ul>
  <p>Broken <b>markup <i>never closed
</body></html>`;

const OTHER = '<html><head><title>Other</title></head><body><a href="/x">x</a></body></html>';

/** What a handler typically asks of `$`, as one comparable value. */
function survey($: CheerioAPI) {
  return {
    title: $('title').text(),
    links: $('a')
      .map((_, a) => $(a).attr('href'))
      .get(),
    prices: $('#products')
      .find('.price')
      .toArray()
      .map((el) => $(el).text()),
    parents: $('a').first().parent().parent().attr('id'),
    closest: $('.price').last().closest('li').find('a').text(),
    positional: $('ul').children().filter(':first').text(),
    positionalFind: $('body').children().find('li:eq(1) a').text(),
    end: $('ul').find('li').end().attr('id'),
    html: $.html(),
    text: $.text(),
    rootName: $.root().children().first().prop('tagName'),
    extracted: $.extract({ names: ['li a'] }),
    italic: $('i').text(),
    made: $('<div><em>new</em></div>').find('em').text(),
  };
}

describe('loadPage', () => {
  it('answers selections and static methods as cheerio.load does', () => {
    const expected = survey(load(SHOP, { xml: { xmlMode: false, decodeEntities: true } }));
    expect(survey(loadPage(SHOP, false))).toEqual(expected);
    expect(expected.prices).toEqual(['$1', '$2']);
    expect([expected.positional, expected.positionalFind]).toEqual(['One$1', 'Two']);
  });

  it('keeps each page to its own document, also in selections derived from another', () => {
    const shop = loadPage(SHOP, false);
    const other = loadPage(OTHER, false);
    expect(shop('title').text()).toBe('Shop & more');
    expect(other('title').text()).toBe('Other');
    expect(shop('li').first().find('a').attr('href')).toBe('/p/1');
    expect(other('body').find('a').attr('href')).toBe('/x');
    expect(shop('li').parents().last().prop('tagName')).toBe('HTML');
    expect(other.html()).not.toContain('Shop');
    // Cheerio's `_root` (its selector engine's root option) is the page's own document.
    const derived = shop('ul').children().first() as unknown as { _root: ArrayLike<unknown> };
    expect(derived._root[0]).toBe(shop.root()[0]);
  });

  it('parses XML types in XML mode, keeping case and self-closing tags', () => {
    const xml =
      '<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url><Item/></urlset>';
    const $ = loadPage(xml, true);
    expect($('loc').text()).toBe('https://a.example/');
    expect($('Item')).toHaveLength(1);
    expect($.xml()).toBe(load(xml, { xml: true }).xml());
  });

  it('supports plugins on $.fn and instanceof checks against $', () => {
    const $ = loadPage(SHOP, false);
    ($.fn as unknown as Record<string, unknown>).countChildren = function (this: {
      children(): { length: number };
    }) {
      return this.children().length;
    };
    const selection = $('#products') as unknown as { countChildren(): number };
    expect(selection.countChildren()).toBe(2);
    expect($('li') instanceof ($ as unknown as new () => unknown)).toBe(true);
  });
});
