/** Feeds of one hostile item each (issue 12): text built to make backtracking regular expressions quadratic. */
export interface HostileFeed {
  name: string;
  xml: string;
}

const rss = (item: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>hostile</title><link>https://example.org/</link>` +
  `<item><guid>https://example.org/1</guid><link>https://example.org/1</link>${item}</item></channel></rss>`;

/** The three cases of `adversarial_item_ms`, each `size` characters of repeated text (1 MB, 1 MB, 500 KB). */
export function hostileFeeds(scale = 1): HostileFeed[] {
  const mb = Math.round(1024 * 1024 * scale);
  const repeat = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length));
  return [
    {
      name: '<a title',
      xml: rss(`<title><![CDATA[${repeat('<a ', mb)}]]></title><description>x</description>`),
    },
    {
      name: '<img description',
      xml: rss(`<title>t</title><description><![CDATA[${repeat('<img ', mb)}]]></description>`),
    },
    {
      name: '[ description',
      xml: rss(`<title>t</title><description><![CDATA[${repeat('[', mb / 2)}]]></description>`),
    },
  ];
}
