import { fmt, isArray, len, matchFailed, print } from "./runtime/stdlib.js";

export function http_class(code: number): string {
  if (code === 200) {
    return "ok";
  } else if (code >= 201 && code < 300) {
    return "success";
  } else if (code >= 300 && code <= 399) {
    return "redirect";
  } else if (code === 404) {
    return "not found";
  } else {
    return "error";
  }
}

export function command(words: string[]): string {
  if (isArray(words) && words.length === 0) {
    return "empty";
  } else if (isArray(words) && words.length === 1 && words[0] === "help") {
    return "usage";
  } else if (isArray(words) && words.length === 2 && words[0] === "add") {
    return `adding ${words[1]}`;
  } else if (isArray(words) && words.length >= 1) {
    return `${words[0]} with ${len(words.slice(1))} arguments`;
  } else {
    return matchFailed(words);
  }
}

export function response_body(response: any): any {
  if (response != null && response.status === "ok") {
    return response.body;
  } else if (response != null && response.status === "error") {
    return fmt`error: ${response.message}`;
  } else {
    return null;
  }
}

export function toggle(flag: boolean): string {
  if (flag) {
    return "on";
  } else {
    return "off";
  }
}

export function color(name: string): string {
  if (name === "red") {
    return "#f00";
  } else if (name === "green") {
    return "#0f0";
  } else {
    return `unknown color ${name}`;
  }
}

export function age_group(age: number) {
  if (age >= 0 && age < 13) {
    print("child");
  } else if (age >= 13 && age < 20) {
    print("teen");
  } else {
    const adult_years = age - 18;
    print(`adult for ${adult_years} years`);
  }
}
