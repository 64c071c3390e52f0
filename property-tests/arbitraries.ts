import fc from "fast-check";

/**
 * Shared generators and helpers for the property tests. Nothing here knows
 * the compiler's internals: the reference models in the tests are written
 * from the specification (decisions.md "Ports", named-blocks.md).
 */

/** Characters that are awkward in a block name: string-literal specials, separators, non-ASCII. */
const AWKWARD = [
  ..."abzAZ09-_ .:/@!#$%&*+=?~^`|'",
  '"', "\\", "{", "}", "\n", "\t", "\r",
  "é", "É", "ß", "ı", "İ", "ﬃ", "ñ", "Ω", "ж", "数", "据", "日", "😀", "🚀", "👍🏽", "\u0301", "\u00a0",
];

/**
 * A block name: ASCII words, awkward characters, arbitrary graphemes and code
 * points. Not blank: an empty or all-whitespace name is an error (E0015),
 * checked on its own in ports.test.ts.
 */
export const blockNameArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom("api", "API", "Api", "events", "worker", "a-b", "a_b", "a b", "café", "CAFÉ", "数据", "😀", "api2", "2api"), weight: 3 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...AWKWARD), minLength: 1, maxLength: 8 }), weight: 4 },
  { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 5 }), weight: 1 },
).filter((s) => s.trim() !== "");

/** The text of a Tova string literal whose decoded value is `s` (language.md escapes). */
export function tovaString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case "\\": out += "\\\\"; break;
      case '"': out += '\\"'; break;
      case "{": out += "\\{"; break;
      case "}": out += "\\}"; break;
      case "\n": out += "\\n"; break;
      default: out += ch;
    }
  }
  return out + '"';
}

/** A distinct Tova file path (only its sort order matters to the compiler). */
export const filePathArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z0-9_-]{1,8}$/).map((s) => `${s}.tova`),
  fc.tuple(fc.constantFrom("src/", "src/api/", "lib/", "Z/", "a/b/"), fc.string({ minLength: 1, maxLength: 6 })).map(([d, s]) => `${d}${s}.tova`),
);

/** Sorted path order, as the compiler defines it (UTF-16 code unit order). */
export function sortPaths(paths: readonly string[]): string[] {
  return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
