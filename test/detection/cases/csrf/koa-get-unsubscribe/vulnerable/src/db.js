const { Sequelize, DataTypes } = require('sequelize');
const sequelize = new Sequelize(process.env.DATABASE_URL);
const Member = sequelize.define('Member', { email: DataTypes.STRING, sessionKey: DataTypes.STRING });
const Subscription = sequelize.define('Subscription', { memberId: DataTypes.INTEGER, list: DataTypes.STRING });
module.exports = { Member, Subscription };
