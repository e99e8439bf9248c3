/**
 * Text for `error` and `warning` messages. BOLT 1 asks receivers to print `data` only when it
 * is printable ASCII, so we send printable ASCII only (anything else becomes `?`). The core has
 * no `TextEncoder` (it is not in ES2022), hence this helper.
 */
export function printableAsciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c >= 32 && c <= 126 ? c : 0x3f;
  }
  return out;
}
