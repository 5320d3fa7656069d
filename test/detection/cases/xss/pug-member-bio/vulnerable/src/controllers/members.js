export function showMember(req, res) {
  res.render('member', { member: { handle: req.params.handle, bio: 'No bio yet.' } });
}

export async function previewMember(req, res) {
  const { handle, bio } = req.body;
  const locals = {
    member: { handle, bio },
    tagline: String(req.body.tagline ?? ''),
  };
  res.status(200).render('member', locals);
}
