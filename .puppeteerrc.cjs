// We use Debian's Chromium (/usr/bin/chromium, or $CHROME); never download a browser.
module.exports = { skipDownload: true };
