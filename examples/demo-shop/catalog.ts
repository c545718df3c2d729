/** The demo shop's catalogue: deterministic, so tests can check exact rows. */

/** One product of the demo shop. */
export interface Product {
  id: number;
  sku: string;
  title: string;
  category: string;
  /** Price in cents. */
  priceCents: number;
  inStock: boolean;
  description: string;
}

/** Categories of the shop, each with its slug. */
export const CATEGORIES = [
  { slug: 'kettles', name: 'Kettles' },
  { slug: 'teapots', name: 'Teapots' },
  { slug: 'mugs', name: 'Mugs & Cups' },
] as const;

const ADJECTIVES = ['Copper', 'Ceramic', 'Glass', 'Cast-iron', 'Enamel', 'Bamboo', 'Stoneware'];
const NOUNS: Record<string, string> = { kettles: 'Kettle', teapots: 'Teapot', mugs: 'Mug' };

/** Products per category. */
export const PRODUCTS_PER_CATEGORY = 14;

/** Products on one listing page. */
export const PAGE_SIZE = 6;

function makeProduct(categoryIndex: number, index: number): Product {
  const category = CATEGORIES[categoryIndex]!.slug;
  const id = categoryIndex * 100 + index + 1;
  const adjective = ADJECTIVES[(index * 3 + categoryIndex) % ADJECTIVES.length]!;
  const size = 1 + (index % 4);
  return {
    id,
    sku: `TS-${String(id).padStart(4, '0')}`,
    title: `${adjective} ${NOUNS[category]} No. ${size}`,
    category,
    priceCents: 990 + ((id * 731) % 9000),
    inStock: id % 5 !== 0,
    description:
      `A ${adjective.toLowerCase()} ${NOUNS[category]!.toLowerCase()}, ` +
      `"size ${size}", made for daily use.`,
  };
}

/** Every product of the shop, in catalogue order. */
export const PRODUCTS: readonly Product[] = CATEGORIES.flatMap((_category, c) =>
  Array.from({ length: PRODUCTS_PER_CATEGORY }, (_unused, i) => makeProduct(c, i)),
);

/** Formats cents as the shop shows prices: `$12.34`. */
export function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
