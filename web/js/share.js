// Share links carry the text and settings in the URL fragment, which browsers never send to a
// server. The text is compressed with the browser's own deflate (CompressionStream), so the
// page ships no compression code of its own.

function toBase64Url(bytes) {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function through(bytes, stream) {
  const piped = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(piped).arrayBuffer());
}

/** Compresses `json` into URL-safe text. */
export async function pack(json) {
  const bytes = new TextEncoder().encode(json);
  return toBase64Url(await through(bytes, new CompressionStream('deflate-raw')));
}

/** Reverses `pack`; throws on text that is not a packed record. */
export async function unpack(text) {
  const bytes = await through(fromBase64Url(text), new DecompressionStream('deflate-raw'));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
