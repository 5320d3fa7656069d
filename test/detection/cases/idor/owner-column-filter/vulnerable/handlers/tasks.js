const { Schema, model } = require('mongoose');

const Task = model('Task', new Schema({ title: String, done: Boolean, memberId: String }));

exports.mine = async (req, res) => {
  res.send(await Task.find({ memberId: req.session.account.id }));
};

exports.ofMember = async (req, res) => {
  const list = await Task.find({ memberId: req.params.memberId }).sort({ _id: -1 }).limit(100);
  res.send(list);
};

exports.add = async (req, res) => {
  const task = await Task.create({ title: String(req.body.title), done: false, memberId: req.session.account.id });
  res.status(201).send(task);
};
