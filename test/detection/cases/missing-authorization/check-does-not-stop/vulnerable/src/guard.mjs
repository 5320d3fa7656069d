// Sends anonymous visitors to the sign-in page.
export function ensureLoggedIn(req, res) {
  if (!req.session.userId) {
    res.status(401).json({ error: 'please sign in' });
    return false;
  }
  return true;
}
