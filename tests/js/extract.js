// Test-only reference for tests/test_twitter_text_js.py: reads JSON lines (one string each) on
// stdin and prints one JSON line per string with what the official twitter-text 3.1.0 finds:
//   h: extractHashtagsWithIndices        [tag, start, end]
//   m: extractMentionsWithIndices        [screen name, start, end]
//   l: extractMentionsOrListsWithIndices [screen name, list slug, start, end]
//   u: extractUrlsWithIndices            [url, start, end]
// Indices are JavaScript's: UTF-16 code units, sign included. The test converts them.
"use strict";
const readline = require("readline");
const twttr = require("twitter-text");

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
rl.on("line", (line) => {
  const text = JSON.parse(line);
  const h = twttr.extractHashtagsWithIndices(text).map((e) => [e.hashtag, ...e.indices]);
  const m = twttr.extractMentionsWithIndices(text).map((e) => [e.screenName, ...e.indices]);
  const l = twttr
    .extractMentionsOrListsWithIndices(text)
    .map((e) => [e.screenName, e.listSlug, ...e.indices]);
  const u = twttr.extractUrlsWithIndices(text).map((e) => [e.url, ...e.indices]);
  out.push(JSON.stringify({ h, m, l, u }));
  if (out.length >= 1000) process.stdout.write(out.splice(0).join("\n") + "\n");
});
rl.on("close", () => {
  if (out.length) process.stdout.write(out.join("\n") + "\n");
});
