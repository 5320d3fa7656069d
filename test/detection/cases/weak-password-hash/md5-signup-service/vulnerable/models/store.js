const users = [];

async function insertUser(user) {
  users.push(user);
  return { id: users.length, email: user.email };
}

module.exports = { insertUser };
