import fetch from 'node-fetch';

export async function probe(url) {
  const started = Date.now();
  try {
    const response = await fetch(url, { timeout: 2000 });
    return { up: response.ok, ms: Date.now() - started };
  } catch (err) {
    return { up: false, error: err.message };
  }
}
