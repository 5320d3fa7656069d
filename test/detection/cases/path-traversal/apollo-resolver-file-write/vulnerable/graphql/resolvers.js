const fs = require('fs').promises;
const path = require('path');

const AVATARS = path.join(__dirname, '..', 'public', 'avatars');

module.exports = {
  Query: {
    ping: () => 'pong',
  },
  Mutation: {
    saveAvatar: async (parent, args, context) => {
      const target = path.join(AVATARS, args.fileName);
      await fs.writeFile(target, Buffer.from(args.contentBase64, 'base64'));
      return `/avatars/${args.fileName}`;
    },
  },
};
