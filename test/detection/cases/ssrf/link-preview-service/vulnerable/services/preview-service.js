const axios = require('axios');

const AVATAR_API = 'https://avatars.example.com/v1';

async function fetchPreview(url) {
  const response = await axios.get(url, { timeout: 5000, maxRedirects: 0 });
  const title = /<title>([^<]*)<\/title>/i.exec(response.data);
  return { url, title: title ? title[1] : null };
}

async function fetchAvatar(user) {
  const response = await axios.get(`${AVATAR_API}/users/${encodeURIComponent(user)}.png`, { responseType: 'arraybuffer' });
  return response.data;
}

module.exports = { fetchPreview, fetchAvatar };
