function generateOtp() {
  return String(Math.floor(100000 + Math.random() * 900000));
}

function retryDelay(attempt) {
  return 2 ** attempt * 100 + Math.random() * 50;
}

module.exports = { generateOtp, retryDelay };
