const accounts = [];
export async function findAccount(login) {
  return accounts.find((a) => a.login === login);
}
