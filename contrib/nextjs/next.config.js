// contrib/nextjs/next.config.js: a standalone server (.next/standalone/server.js)
// that runs with node alone, as the Dockerfile and the end-to-end test run it.
module.exports = {
  output: 'standalone',
};
