// JavaScript globals that Tova treats as dynamically typed (decisions.md
// "Gradual typing"). Generated code imports these names, which shadows the
// typed globals, so `Date.now()` stored in a String field still compiles.

/** `Date`, typed `any`. */
export const Date: any = globalThis.Date;
/** `JSON`, typed `any`. */
export const JSON: any = globalThis.JSON;
/** `Math`, typed `any`. */
export const Math: any = globalThis.Math;
/** `console`, typed `any`. */
export const console: any = globalThis.console;
/** `fetch`, typed `any`. */
export const fetch: any = globalThis.fetch;
/** `Object`, typed `any`. */
export const Object: any = globalThis.Object;
/** `Array`, typed `any`. */
export const Array: any = globalThis.Array;
/** `Number`, typed `any`. */
export const Number: any = globalThis.Number;
/** `String`, typed `any`. */
export const String: any = globalThis.String;
/** `Promise`, typed `any`. */
export const Promise: any = globalThis.Promise;
/** `Error`, typed `any`. */
export const Error: any = globalThis.Error;
/** `setTimeout`, typed `any`. */
export const setTimeout: any = globalThis.setTimeout;
/** `setInterval`, typed `any`. */
export const setInterval: any = globalThis.setInterval;
/** `clearTimeout`, typed `any`. */
export const clearTimeout: any = globalThis.clearTimeout;
/** `clearInterval`, typed `any`. */
export const clearInterval: any = globalThis.clearInterval;
