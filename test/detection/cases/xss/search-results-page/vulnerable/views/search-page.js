function renderResults(query, results) {
  const items = results.map((r) => `<li><a href="/articles/${r.id}">${r.title}</a></li>`).join('');
  return `<!doctype html><h1>Results for ${query}</h1><ul>${items}</ul>`;
}

module.exports = { renderResults };
