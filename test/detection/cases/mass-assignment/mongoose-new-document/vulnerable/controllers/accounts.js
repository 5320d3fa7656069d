const Account = require('../models/Account');
const { digestPassword } = require('../password');

exports.signUp = async function signUp(req, res, next) {
  try {
    const existing = await Account.findOne({ handle: String(req.body.handle) });
    if (existing) return res.status(409).json({ message: 'handle taken' });
    const account = new Account(req.body);
    account.passwordDigest = await digestPassword(req.body.secret);
    await account.save();
    return res.status(201).json({ id: account.id, handle: account.handle });
  } catch (err) {
    return next(err);
  }
};
