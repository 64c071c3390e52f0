import { fmt } from "./runtime/stdlib.js";

export function presence(value: any): string {
  if (value == null) {
    return "missing";
  } else {
    return fmt`present: ${value}`;
  }
}

export function nickname(profile: any): string {
  if (profile.nickname == null) {
    return profile.name;
  } else {
    return profile.nickname;
  }
}
