const STORAGE_KEY = 'prognos.token';

/**
 * The per-launch token of browser mode. It arrives once in the page URL (`?token=T`), is kept in
 * session storage for reloads, and is removed from the visible URL.
 */
export function takeSessionToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // storage may be unavailable; the token still works for this page's lifetime
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
