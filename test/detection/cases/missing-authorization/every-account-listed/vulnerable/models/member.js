const { DataTypes } = require('sequelize');
const sequelize = require('./sequelize');

const Member = sequelize.define('Member', {
  displayName: DataTypes.STRING,
  email: DataTypes.STRING,
  phone: DataTypes.STRING,
  role: DataTypes.STRING,
});

module.exports = Member;
