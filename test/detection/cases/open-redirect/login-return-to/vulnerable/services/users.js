const USERS = [{ id: 1, email: 'ada@example.com', password: 'correct horse battery staple' }];

async function verifyCredentials(email, password) {
  return USERS.find((u) => u.email === email && u.password === password) || null;
}

module.exports = { verifyCredentials };
