import { len, print } from "./runtime/stdlib.js";

export function grade(score: number): string {
  if (score >= 90) {
    return "A";
  } else if (score >= 80) {
    return "B";
  } else if (score >= 70) {
    return "C";
  } else {
    return "F";
  }
}

export function log_level(verbose: boolean, quiet: boolean) {
  if (verbose) {
    print("verbose");
  } else if (quiet) {
    print("quiet");
  } else {
    print("normal");
  }
}

export function shipping_cost(weight: number, express: boolean): number {
  let base: number;
  if (weight > 10) {
    const surcharge = weight * 0.5;
    base = 5 + surcharge;
  } else {
    base = 5;
  }
  if (express) {
    return base * 2;
  } else {
    return base;
  }
}

export function warn_if_empty(items: string[]) {
  if (len(items) === 0) {
    print("no items");
  }
}
