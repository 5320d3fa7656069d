const path = require('path');

module.exports = (baseDir) => (req, res, next) => {
  const file = req.query.file;
  if (!file) return next();
  res.sendFile(path.join(baseDir, file), (err) => {
    if (err) next(err);
  });
};
