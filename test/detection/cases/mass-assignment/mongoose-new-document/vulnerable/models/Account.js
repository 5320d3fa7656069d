const { Schema, model } = require('mongoose');

const AccountSchema = new Schema(
  {
    handle: { type: String, required: true, unique: true },
    email: { type: String, required: true },
    about: { type: String, default: '' },
    passwordDigest: { type: String, required: true },
    isAdmin: { type: Boolean, default: false },
    credits: { type: Number, default: 0 },
  },
  { timestamps: true }
);

module.exports = model('Account', AccountSchema);
