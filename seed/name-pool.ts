// Faker is far too slow to call a million times, so we draw a few thousand first and last
// names once (seeded, per locale: a festival crowd is international) and combine them per row.
import { Faker, base, de, en, en_GB, es, fr, it, nl, type LocaleDefinition } from '@faker-js/faker';

const LOCALES: LocaleDefinition[] = [en_GB, de, fr, es, nl, it];
const NAMES_PER_LOCALE = 500;

export interface LocaleNames {
  first: string[];
  last: string[];
  /** asciiSlug of each name, computed once: normalising per row dominated generation time. */
  firstSlug: string[];
  lastSlug: string[];
}

/** ~6,000 names; first and last name of one person come from the same locale. */
export function buildNamePool(fakerSeed: number): LocaleNames[] {
  return LOCALES.map((locale, i) => {
    // Own instances: seeding the shared `faker` singletons would change other callers' data.
    const f = new Faker({ locale: [locale, en, base], seed: fakerSeed + i });
    const first: string[] = [];
    const last: string[] = [];
    for (let n = 0; n < NAMES_PER_LOCALE; n++) {
      first.push(f.person.firstName());
      last.push(f.person.lastName());
    }
    return { first, last, firstSlug: first.map(asciiSlug), lastSlug: last.map(asciiSlug) };
  });
}

/** ASCII for e-mail local parts: 'Häber' -> 'haber', "O'Connor" -> 'oconnor'. */
export function asciiSlug(name: string): string {
  return name
    .replace(/ß/g, 'ss').replace(/[Ææ]/g, 'ae').replace(/[Øø]/g, 'o').replace(/[Łł]/g, 'l')
    .normalize('NFD').replace(/\p{M}/gu, '')
    .toLowerCase().replace(/[^a-z0-9]/g, '');
}
