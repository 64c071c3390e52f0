import { len } from "./runtime/stdlib.js";

export function process(codes: number[]): number {
  let handled = 0;
  for (const code of codes) {
    if (code === 0) {
      continue;
    } else if (code === 99) {
      break;
    } else {
      handled += 1;
    }
  }
  return handled;
}

export function find_stop(words: string[]): number {
  let i = 0;
  while (i < len(words)) {
    const subject = words[i];
    if (subject === "stop") {
      break;
    }
    i += 1;
  }
  return i;
}
