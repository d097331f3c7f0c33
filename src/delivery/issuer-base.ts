/**
 * An issuer URL as one string per issuer: scheme and host in lower case, no default port (the WHATWG URL
 * parser's form), no trailing slash (HttpIssuer appends `/grants`). A URL that does not parse is kept as given.
 * Reward types whose ISSUER_<TYPE>_URLs give one base share one issuer (issuer-directory.ts), and so one secret
 * (issuer-secrets.ts).
 */
export function issuerBase(url: string): string {
  let href = url;
  try {
    href = new URL(url).href;
  } catch {
    // config validation refuses these; kept as given
  }
  return href.replace(/\/+$/, '');
}
