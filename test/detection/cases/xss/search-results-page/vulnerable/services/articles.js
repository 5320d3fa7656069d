const ARTICLES = [
  { id: 1, title: 'Getting started' },
  { id: 2, title: 'Deploying to production' },
];

async function searchArticles(q) {
  const term = String(q || '').toLowerCase();
  return ARTICLES.filter((a) => a.title.toLowerCase().includes(term));
}

module.exports = { searchArticles };
