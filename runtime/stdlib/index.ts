// The standard library of language.md "Standard library", Option/Result,
// and the JavaScript globals Tova treats as dynamic (runtime/README.md).
export * from "./option.js";
export * from "./collections.js";
export * from "./maps.js";
export * from "./text.js";
export * from "./system.js";
export * from "./data.js";
export * from "./globals.js";
export * from "./awaiting.js";
