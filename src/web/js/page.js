// Small browser helpers shared by the shell's modules.

/** Fires `name` on `host`, bubbling and composed so the page sees it from outside the shadow root. */
export function fire(host, name, detail) {
  host.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

/** A localStorage value, or "" where storage is unavailable. */
export function stored(key) {
  try {
    return localStorage.getItem(key) ?? "";
  } catch {
    return "";
  }
}

/** Sets a localStorage value; false where storage is unavailable or full. */
export function keep(key, value) {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/** Lowercase hex SHA-256 of a string's UTF-8 bytes. */
export async function sha256(text) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
