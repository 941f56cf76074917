/** Realistic JSON pairs of about 1, 10 and 100 KB: a catalogue page whose shadow differs in a few fields. */

export interface PayloadPair {
  label: string;
  primary: unknown;
  shadow: unknown;
  bytes: number;
}

function catalogue(items: number, variant: 'primary' | 'shadow'): unknown {
  return {
    page: 1,
    total: items * 10,
    generatedBy: 'catalogue-service',
    items: Array.from({ length: items }, (_, i) => ({
      id: 10_000 + i,
      sku: `SKU-${i.toString(16).padStart(6, '0')}`,
      name: `Product number ${i}`,
      price: variant === 'shadow' && i % 7 === 3 ? 19.99 + i : 19.95 + i,
      currency: 'EUR',
      tags: ['new', i % 2 ? 'sale' : 'regular', `group-${i % 5}`],
      stock: { warehouse: 'eu-west', available: (i * 37) % 100, reserved: i % 3 },
      rating: { average: 3.5 + (i % 3) / 2, count: 100 + i },
    })),
  };
}

/** Item counts tuned so the primary's JSON is close to the nominal size. */
export function payloadPairs(): PayloadPair[] {
  return [
    ['1KB', 3],
    ['10KB', 33],
    ['100KB', 330],
  ].map(([label, items]) => {
    const primary = catalogue(items as number, 'primary');
    return { label: label as string, primary, shadow: catalogue(items as number, 'shadow'), bytes: JSON.stringify(primary).length };
  });
}
